import { defineConfig } from 'vitest/config';
import { reliefAliases } from './vitest.aliases.ts';

export default defineConfig({
  resolve: { alias: reliefAliases },
  test: {
    setupFiles: ['test/helpers/expected-node.ts'],
    include: ['test/**/*.test.ts', 'plugins/*/test/**/*.test.ts'],
    exclude: ['test/interop/**', 'test/e2e/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

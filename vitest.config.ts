import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Vitest loads modules itself, bypassing the node:module hook that resolves `relief` for
  // plugins outside the repository (src/plugins/relief-specifier-hook.mjs); this mirrors it.
  resolve: { alias: { relief: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    setupFiles: ['test/helpers/expected-node.ts'],
    include: ['test/**/*.test.ts', 'plugins/*/test/**/*.test.ts'],
    exclude: ['test/interop/**', 'test/e2e/**', 'node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});

import { defineConfig } from 'vitest/config';
import { reliefAliases } from './vitest.aliases.ts';

/**
 * Browser tests: the web page (bundled by `npm run build:web`, which `npm run test:e2e` runs
 * first) in Debian's Chromium, against a real server process with a fake terrain upstream.
 */
export default defineConfig({
  resolve: { alias: reliefAliases },
  test: {
    setupFiles: ['test/helpers/expected-node.ts'],
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
    fileParallelism: false,
  },
});

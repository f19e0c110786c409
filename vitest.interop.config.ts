import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Interop tests: real GIS clients (GDAL, OWSLib) against a real server process. */
export default defineConfig({
  resolve: { alias: { relief: fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  test: {
    setupFiles: ['test/helpers/expected-node.ts'],
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One server process per file; files run one after another to keep the 2-core machine calm.
    fileParallelism: false,
  },
});

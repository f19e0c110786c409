import { defineConfig } from 'vitest/config';
import { reliefAliases } from './vitest.aliases.ts';

/** Interop tests: real GIS clients (GDAL, OWSLib) against a real server process. */
export default defineConfig({
  resolve: { alias: reliefAliases },
  test: {
    setupFiles: ['test/helpers/expected-node.ts'],
    include: ['test/interop/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One server process per file; files run one after another to keep the 2-core machine calm.
    fileParallelism: false,
  },
});

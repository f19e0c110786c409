import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A test starts a real server and its worker pool: seconds, not milliseconds.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});

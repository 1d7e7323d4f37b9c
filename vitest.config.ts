import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Each file gets its own process: the local runtime sets endpoints in process.env once per process.
    pool: 'forks',
    setupFiles: ['local/node-compat.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    // One browser and one server for the whole run; files run one after another.
    fileParallelism: false,
    pool: 'forks',
  },
});

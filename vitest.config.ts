import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // DB suites create their own databases; run files in parallel but keep the 2-core machines calm.
    maxWorkers: 2,
    pool: 'forks',
  },
});

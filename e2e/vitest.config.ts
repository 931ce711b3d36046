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
    // expect.poll waits one second by default: too little for a page that loads its data on a
    // loaded two-core machine. What a user would wait for, the tests wait for too.
    expect: { poll: { timeout: 10_000, interval: 100 } },
  },
});

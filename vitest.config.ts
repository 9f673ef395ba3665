import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // vitest's default on a 2-core machine is one worker; most long files wait on timers, child
    // processes and brokers, so two run side by side (the tests allow for a loaded machine)
    maxWorkers: 2,
    reporters: ['default'],
  },
});

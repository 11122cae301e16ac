import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One test file per core. Vitest's default for `run` is cores − 1, keeping a core for its own
    // process; here that process only collects results, and many tests wait on a CLI child, so on
    // the 2-core machines the suite runs on the default (1 worker) leaves a core idle most of the run.
    maxWorkers: availableParallelism(),
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});

import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Stryker's runs: the tests that start bin/start.ts in a child process are left out, since the child
// runs the sandbox's instrumented code without Stryker's coverage hooks (no start, nothing to measure).
export default mergeConfig(
  base,
  defineConfig({
    // Fewer random runs per mutant: the property tests are the slowest, and each mutant reruns them.
    test: { env: { PROPERTY_RUNS: '4' }, exclude: ['test/startup.test.ts', 'test/outbox-crash.test.ts', 'test/environment.test.ts', 'node_modules/**'] },
  }),
);

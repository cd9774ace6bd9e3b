import { defineConfig } from 'vitest/config';
import base, { postgresSetup, suiteOptions } from './vitest.config.js';

// Stryker's runs use the suites aimed at the rule files, so each surviving mutant (which reruns every
// test covering it) costs a minute rather than the whole suite: the score is a lower bound. Child-
// process tests could not count anyway (the child runs instrumented code without Stryker's hooks).
export default defineConfig({
  ...base,
  // One project, a process per file (Stryker's runner), not the suite's two.
  test: {
    ...suiteOptions,
    ...postgresSetup,
    // Fewer random runs per mutant: the property tests are the slowest, and each mutant reruns them.
    env: { PROPERTY_RUNS: '4' },
    include: [
      'test/visibility.test.ts',
      'test/subscriptions-property.test.ts',
      'test/subscriptions.test.ts',
      'test/live-rules.test.ts',
      'test/tickets.test.ts',
      'test/people.test.ts',
      'test/integration-tokens.test.ts',
      'test/store.test.ts',
      'test/statements.test.ts',
      'test/permissions.test.ts',
      'test/auth.test.ts',
      // The live rules and the lifecycle's refusals (added for the resolvers/live and lifecycle scores).
      'test/lifecycle-rules.test.ts',
      'test/scope-rules.test.ts',
      'test/live-resume.test.ts',
      'test/monitoring.test.ts',
      'test/presence.test.ts',
      'test/sse.test.ts',
      'test/websocket.test.ts',
      'test/queue-sizes.test.ts',
      'test/events-contract.test.ts',
      'test/regressions.test.ts',
      'test/readme-claims.test.ts',
      'test/mentions.test.ts',
      'test/message-stream.test.ts',
      'test/presence-rules.test.ts',
      'test/ticket-counts-stream.test.ts',
      'test/monitoring-stream.test.ts',
    ],
  },
});

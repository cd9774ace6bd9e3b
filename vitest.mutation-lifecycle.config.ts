import { defineConfig } from 'vitest/config';
import mutation from './vitest.mutation.config.js';

// For mutants of resolvers/tickets/lifecycle.ts only: the suites that drive the lifecycle through the
// endpoint, without the live suites (their subscriptions made each mutant cost minutes).
export default defineConfig({
  ...mutation,
  test: {
    ...mutation.test,
    include: [
      'test/lifecycle-rules.test.ts',
      'test/tickets.test.ts',
      'test/visibility.test.ts',
      'test/readme-claims.test.ts',
      'test/events-contract.test.ts',
      'test/regressions.test.ts',
      'test/integration-tokens.test.ts',
      'test/people.test.ts',
    ],
  },
});

import { defineConfig } from 'vitest/config';
import mutation from './vitest.mutation.config.js';

// For mutants of the rule itself (visibility.ts, db/sqlite/scope.ts, permissions.ts): the suites that
// read through every scope and permission, and the live suites that judge events by the rule.
export default defineConfig({
  ...mutation,
  test: {
    ...mutation.test,
    include: [
      'test/visibility.test.ts',
      'test/scope-rules.test.ts',
      'test/tickets.test.ts',
      'test/permissions.test.ts',
      'test/store.test.ts',
      'test/statements.test.ts',
      'test/monitoring.test.ts',
      'test/queue-sizes.test.ts',
      'test/people.test.ts',
      'test/integration-tokens.test.ts',
      'test/auth.test.ts',
      'test/potentials.test.ts',
      'test/readme-claims.test.ts',
      // canSeeTicket and ticketEventKindFor judge live events.
      'test/subscriptions-property.test.ts',
      'test/subscriptions.test.ts',
      'test/live-rules.test.ts',
      // reachOf and ticketKeysOf index live subscriptions (the property and the /metrics counts).
      'test/live-fan-out.test.ts',
    ],
  },
});

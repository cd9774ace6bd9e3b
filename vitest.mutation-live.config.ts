import { defineConfig } from 'vitest/config';
import mutation from './vitest.mutation.config.js';

// For mutants of resolvers/live only: the suites that open subscriptions (live code runs for nothing
// else), so each file's run starts with a shorter initial test run.
export default defineConfig({
  ...mutation,
  test: {
    ...mutation.test,
    include: [
      'test/subscriptions-property.test.ts',
      'test/subscriptions.test.ts',
      'test/live-rules.test.ts',
      'test/live-resume.test.ts',
      'test/monitoring.test.ts',
      'test/presence.test.ts',
      'test/sse.test.ts',
      'test/websocket.test.ts',
      'test/mentions.test.ts',
      'test/message-stream.test.ts',
      'test/presence-rules.test.ts',
      'test/ticket-counts-stream.test.ts',
      'test/monitoring-stream.test.ts',
      'test/live-fan-out.test.ts',
      'test/commit-order.test.ts',
      'test/queue-sizes.test.ts',
      'test/potentials.test.ts',
      'test/error-codes.test.ts',
    ],
  },
});

import { defineConfig } from 'vitest/config';
import mutation from './vitest.mutation.config.js';

// For mutants of db/postgres/scope.ts (run with DESKGRAPH_TEST_ENGINE=postgres, which brings the
// throwaway cluster's global setup): the suites that read through every scope.
export default defineConfig({
  ...mutation,
  test: {
    ...mutation.test,
    include: [
      'test/scope-rules.test.ts',
      'test/visibility.test.ts',
      'test/monitoring.test.ts',
      'test/queue-sizes.test.ts',
      'test/potentials.test.ts',
      'test/readme-claims.test.ts',
    ],
  },
});

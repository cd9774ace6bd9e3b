import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { engine } from './test/helpers/engine.js';

const require = createRequire(import.meta.url);

export default defineConfig({
  // Node resolves `graphql` to its CommonJS build for the libraries; our sources must get the same
  // copy, or errors and types from two realms stop matching (the graphql dual-package hazard).
  resolve: { alias: { graphql: require.resolve('graphql') } },
  test: {
    include: ['test/**/*.test.ts'],
    // A safety net, not a measure: on PostgreSQL every statement is a round trip to a server sharing the CPU.
    testTimeout: engine === 'postgres' ? 60_000 : 30_000,
    hookTimeout: engine === 'postgres' ? 60_000 : 30_000,
    pool: 'forks',
    // Test files mostly wait (servers, sockets, timers, the cluster): vitest's one file per core but one
    // left two cores half idle, so at least two files run at once (TESTING.md has the timings).
    maxWorkers: Math.max(2, availableParallelism() - 1),
    // DESKGRAPH_TEST_ENGINE=postgres: a cluster and a migrated template for the run, a database per app.
    ...(engine === 'postgres' ? { globalSetup: ['test/helpers/postgres-cluster.ts'], setupFiles: ['test/helpers/database-cleanup.ts'] } : {}),
  },
});

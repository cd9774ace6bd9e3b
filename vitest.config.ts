import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { engine } from './test/helpers/engine.js';
import { ownProcessFiles } from './test/helpers/own-process-files.js';

const require = createRequire(import.meta.url);

/** DESKGRAPH_TEST_ENGINE=postgres: a cluster and a migrated template for the run (one, whichever project asks first), a database per app. */
export const postgresSetup = engine === 'postgres' ? { globalSetup: ['test/helpers/postgres-cluster.ts'], setupFiles: ['test/helpers/database-cleanup.ts'] } : {};

/** What every run of the suite shares (the mutation configs too). */
export const suiteOptions = {
  // A safety net, not a measure: on PostgreSQL every statement is a round trip to a server sharing the CPU.
  testTimeout: engine === 'postgres' ? 60_000 : 30_000,
  hookTimeout: engine === 'postgres' ? 60_000 : 30_000,
  pool: 'forks' as const,
  // Test files mostly wait (servers, sockets, timers, the cluster): vitest's one file per core but one
  // left two cores half idle, so at least two files run at once (TESTING.md has the timings).
  maxWorkers: Math.max(2, availableParallelism() - 1),
};

export default defineConfig({
  // Node resolves `graphql` to its CommonJS build for the libraries; our sources must get the same
  // copy, or errors and types from two realms stop matching (the graphql dual-package hazard).
  resolve: { alias: { graphql: require.resolve('graphql') } },
  test: {
    ...suiteOptions,
    projects: [
      // Every file loads the whole app: a worker keeps its modules from one file to the next instead of
      // loading them again (TESTING.md has the timings). Each file still starts its own servers and databases.
      { extends: true, test: { name: 'app', include: ['test/**/*.test.ts'], exclude: ownProcessFiles, isolate: false, ...postgresSetup } },
      { extends: true, test: { name: 'own-process', include: ownProcessFiles, ...postgresSetup } },
    ],
  },
});

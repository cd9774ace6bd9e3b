import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { defaultLoginThrottle } from '../../resolvers/auth/login-throttle.js';
import { defaultLimits } from '../../schema/protection.js';
import { startDeskgraph, type DeskgraphConfig, type RunningDeskgraph } from '../../server.js';
import { databaseUrlOf, dropDatabase, engine, prepareDatabase, snapshotOf } from './database.js';
import { gqlClient, type GqlClient } from './gql.js';

export { snapshotOf };

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const ADMIN_EMAIL = 'admin@deskgraph.test';
export const ADMIN_PASSWORD = 'Admin-Passw0rd';

export interface TestApp {
  url: string;
  dir: string;
  config: DeskgraphConfig;
  running: RunningDeskgraph;
  /** An anonymous client; `as(token)` for a signed-in one. */
  anonymous: GqlClient;
  as(token: string): GqlClient;
  admin: GqlClient;
  adminToken: string;
  /** Every row of every table, to show that a rejected mutation changed nothing. */
  snapshot(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The test settings for a folder. The database is the folder's on the engine under test (a SQLite file
 * in it, or a PostgreSQL database named after it): `await prepareDatabase(dir)` before starting a
 * server on it yourself; startTestApp does so.
 */
export function testConfig(dir: string, overrides: Partial<DeskgraphConfig> = {}): DeskgraphConfig {
  // Attachments beside the database, as SQLite keeps them; a PostgreSQL URL would put them in ./data.
  const uploads = engine === 'postgres' ? { directory: join(dir, 'attachments'), ...overrides.uploads } : overrides.uploads;
  return {
    databaseUrl: databaseUrlOf(dir),
    production: false,
    graphiql: true,
    jwt: {
      secret: TEST_SECRET,
      userTokenTtlSeconds: 3600,
      clockToleranceSeconds: 5,
    },
    bootstrap: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    loginThrottle: defaultLoginThrottle,
    // Property tests run thousands of operations a minute in one account: budgets are tested where asked for.
    accountLimits: { requestsPerMinute: 0, ingestsPerMinute: 0 },
    limits: defaultLimits,
    bodyLimitBytes: 1024 * 1024,
    trustProxy: false,
    ...overrides,
    ...(uploads ? { uploads } : {}),
  };
}

export async function startTestApp(overrides: Partial<DeskgraphConfig> = {}, dir?: string): Promise<TestApp> {
  const workDir = dir ?? mkdtempSync(join(tmpdir(), 'deskgraph-test-'));
  const config = testConfig(workDir, overrides);
  await prepareDatabase(workDir);
  const running = await startDeskgraph(config, { port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
  const anonymous = gqlClient(running.url);
  const { login } = await anonymous.request<{ login: { token: string } }>(
    'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }',
    { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
  );
  return {
    url: running.url,
    dir: workDir,
    config,
    running,
    anonymous,
    as: (token) => gqlClient(running.url, token),
    admin: gqlClient(running.url, login.token),
    adminToken: login.token,
    snapshot: () => snapshotOf(config.databaseUrl),
    async stop() {
      await running.stop();
      if (dir) return;
      await dropDatabase(workDir);
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

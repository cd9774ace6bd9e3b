import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { pino } from 'pino';
import { defaultLoginThrottle } from '../../resolvers/auth/login-throttle.js';
import { defaultLimits } from '../../schema/protection.js';
import { startDeskgraph, type DeskgraphConfig, type RunningDeskgraph } from '../../server.js';
import { gqlClient, type GqlClient } from './gql.js';

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
  snapshot(): string;
  stop(): Promise<void>;
}

export function testConfig(dir: string, overrides: Partial<DeskgraphConfig> = {}): DeskgraphConfig {
  return {
    databaseUrl: join(dir, 'deskgraph.sqlite'),
    production: false,
    graphiql: true,
    jwt: {
      secret: TEST_SECRET,
      userTokenTtlSeconds: 3600,
      clockToleranceSeconds: 5,
    },
    bootstrap: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
    loginThrottle: defaultLoginThrottle,
    limits: defaultLimits,
    bodyLimitBytes: 1024 * 1024,
    trustProxy: false,
    ...overrides,
  };
}

export function snapshotOf(databasePath: string): string {
  const db = new BetterSqlite3(databasePath, { readonly: true });
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[];
    const dump: Record<string, unknown[]> = {};
    // Sorted in JS: some tables (FTS5 shadows, WITHOUT ROWID) have no rowid to order by.
    for (const { name } of tables) dump[name] = db.prepare(`SELECT * FROM "${name}"`).all().map((row) => JSON.stringify(row)).sort();
    return JSON.stringify(dump);
  } finally {
    db.close();
  }
}

export async function startTestApp(overrides: Partial<DeskgraphConfig> = {}, dir?: string): Promise<TestApp> {
  const workDir = dir ?? mkdtempSync(join(tmpdir(), 'deskgraph-test-'));
  const config = testConfig(workDir, overrides);
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
      if (!dir) rmSync(workDir, { recursive: true, force: true });
    },
  };
}

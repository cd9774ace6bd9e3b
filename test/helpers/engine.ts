import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';

/** Which engine the suite runs on: DESKGRAPH_TEST_ENGINE=sqlite (the default) or postgres. */
export type TestEngine = 'sqlite' | 'postgres';

function engineOf(value: string | undefined): TestEngine {
  if (value === undefined || value === '' || value === 'sqlite') return 'sqlite';
  if (value === 'postgres') return 'postgres';
  throw new Error(`DESKGRAPH_TEST_ENGINE must be sqlite or postgres, got "${value}"`);
}

export const engine: TestEngine = engineOf(process.env['DESKGRAPH_TEST_ENGINE']);

/** What the PostgreSQL global setup hands every test file: where to create databases, and from what. */
export interface PostgresTestCluster {
  /** A superuser URL to the cluster's maintenance database. */
  adminUrl: string;
  /** The migrated, empty database each test database is copied from. */
  template: string;
  /** Every database of this run starts with it, so teardown finds them all. */
  prefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresTestCluster | null;
  }
}

/** The same cluster URL with another database. */
export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** One statement on a short-lived connection (CREATE/DROP DATABASE cannot run in a transaction or pool checkout that outlives it). */
export async function adminQuery<Row extends object = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** A database name as a quoted identifier; test names are ours, the quoting only guards the syntax. */
export const quoted = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The folder of initdb and pg_ctl: on PATH, else Debian's newest /usr/lib/postgresql/<version>/bin; null when not installed. */
export function postgresBinaries(): string | null {
  for (const folder of (process.env['PATH'] ?? '').split(delimiter)) {
    const initdb = join(folder, 'initdb');
    if (folder && existsSync(initdb)) return dirname(realpathSync(initdb));
  }
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian) ? readdirSync(debian).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  return versions.map((v) => join(debian, v, 'bin')).find((bin) => existsSync(join(bin, 'initdb'))) ?? null;
}

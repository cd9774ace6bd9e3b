import { createHash } from 'node:crypto';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { inject } from 'vitest';
import { adminQuery, databaseUrl, engine, quoted, type PostgresTestCluster } from './engine.js';

export { engine };

function cluster(): PostgresTestCluster {
  const provided = inject('postgres');
  if (!provided) throw new Error('DESKGRAPH_TEST_ENGINE=postgres needs the global setup of test/helpers/postgres-cluster.ts (see vitest.config.ts)');
  return provided;
}

// A folder's database is named after the folder, so a test that restarts an app on the same folder
// finds the same database, as it finds the same SQLite file.
function nameOf(dir: string): string {
  return `${cluster().prefix}_${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`;
}

/** The database of a test folder: the SQLite file in it, or on PostgreSQL the database named after it. */
export function databaseUrlOf(dir: string): string {
  if (engine === 'sqlite') return join(dir, 'deskgraph.sqlite');
  return databaseUrl(cluster().adminUrl, nameOf(dir));
}

const created = new Set<string>();

/**
 * The folder's database, ready for a server to open: on PostgreSQL a fresh copy of the migrated
 * template the first time (the SQLite file the server creates itself).
 */
export async function prepareDatabase(dir: string): Promise<string> {
  const url = databaseUrlOf(dir);
  if (engine === 'sqlite') return url;
  const name = nameOf(dir);
  if (created.has(name)) return url;
  const { adminUrl, template } = cluster();
  await adminQuery(adminUrl, `CREATE DATABASE ${quoted(name)} TEMPLATE ${quoted(template)}`);
  created.add(name);
  return url;
}

/** Drops the folder's PostgreSQL database (servers on it stopped or not); nothing to do for SQLite. */
export async function dropDatabase(dir: string): Promise<void> {
  if (engine === 'sqlite') return;
  const name = nameOf(dir);
  if (!created.delete(name)) return;
  await adminQuery(cluster().adminUrl, `DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`);
}

/** Drops every database this test file created (the setup file runs it after each file). */
export async function dropCreatedDatabases(): Promise<void> {
  if (engine === 'sqlite' || created.size === 0) return;
  const { adminUrl } = cluster();
  for (const name of [...created]) {
    created.delete(name);
    await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`);
  }
}

/** Rows straight from the database, for the few tests that read or poke what the API does not show. */
export interface TestDatabase {
  rows<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params?: unknown[]): Promise<number>;
  close(): Promise<void>;
}

// Values come back in SQLite's shapes on both engines, so one assertion fits both: instants as epoch
// milliseconds, booleans as 0/1, JSON as its stored text, bigints as numbers.
const sqliteShapes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    const { builtins } = pg.types;
    if (oid === builtins.BOOL) return (value: string) => (value === 't' ? 1 : 0);
    if (oid === builtins.TIMESTAMPTZ || oid === builtins.TIMESTAMP) {
      const asDate = pg.types.getTypeParser(oid, 'text') as (value: string) => Date;
      return (value: string) => asDate(value).getTime();
    }
    if (oid === builtins.JSON || oid === builtins.JSONB) return (value: string) => value;
    if (oid === builtins.INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** `?` placeholders (SQLite's) as `$1, $2...` (PostgreSQL's); a `?` inside a quoted string stays. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/'(?:[^']|'')*'|\?/g, (match) => (match === '?' ? `$${++n}` : match));
}

/** A handle on a test database, whichever the engine: the SQLite file path or a postgres:// URL. */
export async function openTestDatabase(url: string, options: { readonly?: boolean } = {}): Promise<TestDatabase> {
  if (!/^postgres(ql)?:\/\//.test(url)) {
    const db = new BetterSqlite3(url, { readonly: options.readonly ?? false });
    return {
      rows: async <Row>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as Row[],
      run: async (sql, params = []) => db.prepare(sql).run(...params).changes,
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: url, types: sqliteShapes });
  await client.connect();
  if (options.readonly) await client.query('SET default_transaction_read_only = on');
  return {
    rows: async <Row>(sql: string, params: unknown[] = []) => (await client.query(numbered(sql), params)).rows as Row[],
    run: async (sql, params = []) => (await client.query(numbered(sql), params)).rowCount ?? 0,
    close: () => client.end(),
  };
}

/** Opens, runs `work`, closes: for a one-off read. */
export async function withTestDatabase<T>(url: string, work: (db: TestDatabase) => Promise<T>, options: { readonly?: boolean } = {}): Promise<T> {
  const db = await openTestDatabase(url, options);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

async function tableNames(db: TestDatabase, url: string): Promise<string[]> {
  const names = /^postgres(ql)?:\/\//.test(url)
    ? await db.rows<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
    : await db.rows<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name");
  return names.map(({ name }) => name);
}

// The relay's lease is renewed by a timer, not by requests: left out so it never blurs a comparison.
const renewedByTime = new Set(['leases']);

/** Every table's rows as sorted JSON lines, so a table that differs shows in a diff by name. */
export async function tablesOf(url: string): Promise<Record<string, string[]>> {
  return withTestDatabase(
    url,
    async (db) => {
      const dump: Record<string, string[]> = {};
      // Sorted in JS: some tables (FTS5 shadows, WITHOUT ROWID, count tables) have no id to order by.
      for (const name of await tableNames(db, url)) {
        if (!renewedByTime.has(name)) dump[name] = (await db.rows(`SELECT * FROM ${quoted(name)}`)).map((row) => JSON.stringify(row)).sort();
      }
      return dump;
    },
    { readonly: true },
  );
}

/** Every row of every table in one string, to show that a rejected mutation changed nothing. */
export async function snapshotOf(url: string): Promise<string> {
  return JSON.stringify(await tablesOf(url));
}

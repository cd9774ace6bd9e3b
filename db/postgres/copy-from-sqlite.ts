import { existsSync } from 'node:fs';
import { drizzle } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { openDatabase, type SqliteConnections } from '../sqlite/client.js';
import { migrateDatabase as migrateSqlite } from '../sqlite/migrate.js';
import { ticketQueries as sqliteTicketQueries } from '../sqlite/queries/tickets.js';
import { outboxQueries as sqliteOutboxQueries } from '../sqlite/queries/outbox.js';
import type { TicketQueries } from '../store.js';
import type { TicketCounts } from '../types.js';
import { connectionFailureOf, openPool, type PgDb } from './client.js';
import { migrateDatabase } from './migrate.js';
import { ticketQueries } from './queries/tickets.js';
import { outboxQueries } from './queries/outbox.js';
import * as tables from './tables/index.js';

// db:copy: one SQLite installation into an empty PostgreSQL database, in one transaction, so a copy
// that fails anywhere (a bad row, a count that disagrees) leaves the target as empty as it found it.
// Tables and columns are matched by name (both engines use the same ones); types come from the target's catalog.

/** The target already holds an installation (or rows of one): the copy refuses to mix two. */
export class TargetNotEmpty extends Error {
  constructor(where: string, table: string) {
    super(`the database ${where} already holds an installation (the ${table} table has rows); db:copy only fills an empty database`);
    this.name = 'TargetNotEmpty';
  }
}

export interface CopySummary {
  /** Rows per table, in the order they were copied (foreign keys first). */
  tables: Array<{ name: string; rows: number }>;
  /** Each account's tickets per status as its ADMIN counts them, the same on both sides. */
  accounts: Array<{ id: number; counts: TicketCounts }>;
  /** The highest outbox id ever issued: resume cursors stay valid across the move. */
  outboxIssuedThrough: number;
  ms: number;
}

export interface CopyOptions {
  /** The SQLite file (brought to the current schema first, as the server does on start). */
  from: string;
  /** A postgres:// URL; migrated here if it is not yet. */
  to: string;
  batchSize?: number;
  progress?: (message: string) => void;
}

// SQLite's own tables and the FTS5 search index (PostgreSQL searches through trigram indexes instead).
const sqliteOnly = (name: string, virtualTables: readonly string[]) =>
  name.startsWith('sqlite_') || name === '__drizzle_migrations' || virtualTables.some((v) => name === v || name.startsWith(`${v}_`));

/** Columns PostgreSQL has and SQLite has not: the count tables' writer slot (one slot holds a copied count). */
const filledColumns: Record<string, Record<string, unknown>> = { ticket_counts: { slot: 0 }, ticket_totals: { slot: 0 } };

interface TargetColumn {
  name: string;
  /** The catalog's type name (int4, text, timestamptz, bool, json...), for the array cast. */
  type: string;
}

interface TargetTable {
  name: string;
  columns: TargetColumn[];
  identity: string | null;
  references: string[];
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function targetTables(client: pg.PoolClient): Promise<TargetTable[]> {
  const { rows: columns } = await client.query<{ table: string; column: string; type: string; identity: boolean }>(
    `SELECT c.table_name AS table, c.column_name AS column, c.udt_name AS type, c.is_identity = 'YES' AS identity
     FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
     WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' ORDER BY c.table_name, c.ordinal_position`,
  );
  const { rows: keys } = await client.query<{ table: string; referenced: string }>(
    `SELECT conrelid::regclass::text AS table, confrelid::regclass::text AS referenced FROM pg_constraint
     WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`,
  );
  const byName = new Map<string, TargetTable>();
  for (const row of columns) {
    const table = byName.get(row.table) ?? { name: row.table, columns: [], identity: null, references: [] };
    table.columns.push({ name: row.column, type: row.type });
    if (row.identity) table.identity = row.column;
    byName.set(row.table, table);
  }
  for (const key of keys) {
    const table = byName.get(key.table.replace(/^"|"$/g, ''));
    const referenced = key.referenced.replace(/^"|"$/g, '');
    if (table && referenced !== table.name) table.references.push(referenced);
  }
  return inForeignKeyOrder([...byName.values()]);
}

/** Referenced tables before the tables pointing at them (self-references are filled in row order). */
function inForeignKeyOrder(all: TargetTable[]): TargetTable[] {
  const ordered: TargetTable[] = [];
  const placed = new Set<string>();
  let left = [...all].sort((a, b) => a.name.localeCompare(b.name));
  while (left.length > 0) {
    const ready = left.filter((table) => table.references.every((name) => placed.has(name)));
    if (ready.length === 0) throw new Error(`foreign keys form a cycle among ${left.map((t) => t.name).join(', ')}`);
    for (const table of ready) {
      ordered.push(table);
      placed.add(table.name);
    }
    left = left.filter((table) => !placed.has(table.name));
  }
  return ordered;
}

/** A SQLite value as PostgreSQL takes it in a typed array: instants from epoch ms, booleans from 0/1, JSON as its text. */
function converterFor(type: string): (value: unknown) => unknown {
  if (type === 'timestamptz' || type === 'timestamp') return (value) => (typeof value === 'number' ? new Date(value).toISOString() : value);
  if (type === 'bool') return (value) => (value === null ? null : Boolean(value));
  if (type === 'json' || type === 'jsonb') return (value) => (value === null || typeof value === 'string' ? value : JSON.stringify(value));
  return (value) => value;
}

function sourceTables(source: SqliteConnections): string[] {
  const virtualTables = (source.reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'").all() as { name: string }[]).map((row) => row.name);
  const names = (source.reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((row) => row.name);
  return names.filter((name) => !sqliteOnly(name, virtualTables));
}

/** Copies one table in batches read by rowid (the source's insertion order, ids kept); returns the rows copied. */
async function copyTable(source: SqliteConnections, client: pg.PoolClient, table: TargetTable, batchSize: number): Promise<number> {
  const sourceColumns = (source.reader.prepare(`SELECT name FROM pragma_table_info(?)`).all(table.name) as { name: string }[]).map((row) => row.name);
  const fill = filledColumns[table.name] ?? {};
  const dropped = sourceColumns.filter((name) => !table.columns.some((column) => column.name === name));
  if (dropped.length > 0) throw new Error(`${table.name}: the PostgreSQL table has no column ${dropped.join(', ')}; the copy would lose it`);
  const missing = table.columns.filter((column) => !sourceColumns.includes(column.name) && !(column.name in fill));
  if (missing.length > 0) throw new Error(`${table.name}: the SQLite table has no column ${missing.map((c) => c.name).join(', ')}`);

  const read = source.reader.prepare(`SELECT rowid AS __rowid, ${table.columns.filter((c) => sourceColumns.includes(c.name)).map((c) => quoted(c.name)).join(', ')} FROM ${quoted(table.name)} WHERE rowid > ? ORDER BY rowid LIMIT ?`).raw();
  const readColumns = table.columns.filter((c) => sourceColumns.includes(c.name));
  const converters = readColumns.map((column) => converterFor(column.type));
  const insert = `INSERT INTO ${quoted(table.name)} (${table.columns.map((c) => quoted(c.name)).join(', ')})
    SELECT * FROM unnest(${table.columns.map((c, i) => `$${i + 1}::${quoted(c.type)}[]`).join(', ')})`;

  let after = Number.MIN_SAFE_INTEGER;
  let copied = 0;
  for (;;) {
    const rows = read.all(after, batchSize) as unknown[][];
    if (rows.length === 0) return copied;
    const arrays = table.columns.map((column) => {
      const at = readColumns.indexOf(column);
      if (at < 0) return rows.map(() => fill[column.name]);
      const convert = converters[at]!;
      return rows.map((row) => convert(row[at + 1]));
    });
    await client.query(insert, arrays);
    copied += rows.length;
    after = rows[rows.length - 1]![0] as number;
  }
}

const countOf = async (client: pg.PoolClient, table: string) => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoted(table)}`)).rows[0]!.n;

/**
 * Copies every table of the SQLite installation into the empty PostgreSQL database: ids kept, identity
 * sequences set past them (the outbox's past the highest id ever issued), then row counts and every
 * account's ticket counts compared with the source before the one transaction commits.
 */
export async function copySqliteToPostgres(options: CopyOptions): Promise<CopySummary> {
  const started = Date.now();
  const progress = options.progress ?? (() => undefined);
  const batchSize = options.batchSize ?? 5000;
  if (!existsSync(options.from)) throw new Error(`--from: no SQLite database at ${options.from}`);
  const source = openDatabase(options.from);
  const target = openPool(options.to, 2);
  try {
    migrateSqlite(source);
    try {
      await target.pool.query('SELECT 1');
    } catch (error) {
      throw new Error(`--to: ${connectionFailureOf(target.where, error)}`, { cause: error });
    }
    await migrateDatabase(target.pool);
    const client = await target.pool.connect();
    // One read snapshot of the source for the whole copy: a server still writing there cannot tear it.
    source.reader.exec('BEGIN');
    try {
      await client.query('BEGIN');
      // Two copies started together: the second waits here, then finds the accounts the first wrote.
      await client.query('LOCK TABLE accounts IN EXCLUSIVE MODE');
      const where = `${new URL(options.to).pathname.slice(1)} at ${target.where}`;
      const summary = await copyInTransaction(source, client, where, batchSize, progress);
      await client.query('COMMIT');
      // Fresh tables: statistics for the planner before the service's first query.
      await client.query('ANALYZE');
      return { ...summary, ms: Date.now() - started };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      source.reader.exec('COMMIT');
      client.release();
    }
  } finally {
    source.close();
    await target.close();
  }
}

async function copyInTransaction(source: SqliteConnections, client: pg.PoolClient, where: string, batchSize: number, progress: (message: string) => void): Promise<Omit<CopySummary, 'ms'>> {
  const targets = await targetTables(client);
  // Accounts first (an installation), then any other table (rows a half-done import left).
  for (const table of [...targets].sort((a, b) => Number(b.name === 'accounts') - Number(a.name === 'accounts'))) {
    if ((await client.query(`SELECT 1 FROM ${quoted(table.name)} LIMIT 1`)).rowCount) throw new TargetNotEmpty(where, table.name);
  }
  const sourceNames = sourceTables(source);
  const unmatched = sourceNames.filter((name) => !targets.some((table) => table.name === name));
  if (unmatched.length > 0) throw new Error(`the SQLite database has tables PostgreSQL lacks: ${unmatched.join(', ')}`);
  const absent = targets.filter((table) => !sourceNames.includes(table.name)).map((table) => table.name);
  if (absent.length > 0) throw new Error(`the SQLite database lacks tables PostgreSQL has: ${absent.join(', ')}`);

  const restore = await setAsideWhileCopying(client, targets);
  const copied: CopySummary['tables'] = [];
  for (const table of targets) {
    const tableStarted = Date.now();
    const rows = await copyTable(source, client, table, batchSize);
    copied.push({ name: table.name, rows });
    progress(`${table.name}: ${rows} rows (${Date.now() - tableStarted} ms)`);
  }
  await restore(progress);
  await continueSequences(source, client, targets);
  return verify(source, client, copied);
}

/**
 * Takes off what would slow or falsify a bulk load, and returns what puts it back: the count triggers
 * (the count tables are copied as they are, so copied tickets must not be counted again), secondary
 * indexes and foreign keys (built and checked once after the rows are in, as pg_restore does: several
 * times faster than row by row on the tickets' dozen indexes and the messages' trigram index).
 */
async function setAsideWhileCopying(client: pg.PoolClient, targets: readonly TargetTable[]): Promise<(progress: (message: string) => void) => Promise<void>> {
  const { rows: triggered } = await client.query<{ table: string }>(
    `SELECT DISTINCT tgrelid::regclass::text AS table FROM pg_trigger WHERE NOT tgisinternal AND tgrelid::regclass::text = ANY($1)`,
    [targets.map((table) => table.name)],
  );
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i
     JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relnamespace = current_schema()::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`,
  );
  const { rows: foreignKeys } = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT conrelid::regclass::text AS table, quote_ident(conname) AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
     WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`,
  );
  for (const { table } of triggered) await client.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
  for (const index of indexes) await client.query(`DROP INDEX ${index.name}`);
  for (const key of foreignKeys) await client.query(`ALTER TABLE ${key.table} DROP CONSTRAINT ${key.name}`);
  return async (progress) => {
    for (const { table } of triggered) await client.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
    const indexesStarted = Date.now();
    await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
    for (const index of indexes) await client.query(index.definition);
    progress(`${indexes.length} indexes built (${Date.now() - indexesStarted} ms)`);
    const keysStarted = Date.now();
    for (const key of foreignKeys) await client.query(`ALTER TABLE ${key.table} ADD CONSTRAINT ${key.name} ${key.definition}`);
    progress(`${foreignKeys.length} foreign keys checked (${Date.now() - keysStarted} ms)`);
  };
}

/** Ids go on after the highest one SQLite ever issued (AUTOINCREMENT's sqlite_sequence), not only the highest kept. */
async function continueSequences(source: SqliteConnections, client: pg.PoolClient, targets: readonly TargetTable[]): Promise<void> {
  const issued = new Map((source.reader.prepare('SELECT name, seq FROM sqlite_sequence').all() as { name: string; seq: number }[]).map((row) => [row.name, row.seq]));
  for (const table of targets.filter((t) => t.identity !== null)) {
    const column = table.identity!;
    const kept = (await client.query<{ id: number | null }>(`SELECT max(${quoted(column)}) AS id FROM ${quoted(table.name)}`)).rows[0]!.id ?? 0;
    const through = Math.max(kept, issued.get(table.name) ?? 0);
    // "Not called" at 1 when nothing was ever issued, so the first id is 1 and issuedThrough() says 0.
    await client.query('SELECT setval(pg_get_serial_sequence($1, $2), $3, $4)', [quoted(table.name), column, Math.max(through, 1), through > 0]);
  }
}

/** Every table's rows, each account's ticket counts as its ADMIN sees them and the outbox's issued ids, against the source. */
async function verify(source: SqliteConnections, client: pg.PoolClient, copied: CopySummary['tables']): Promise<Omit<CopySummary, 'ms'>> {
  const problems: string[] = [];
  for (const { name } of copied) {
    const expected = (source.reader.prepare(`SELECT count(*) AS n FROM ${quoted(name)}`).get() as { n: number }).n;
    const actual = await countOf(client, name);
    if (actual !== expected) problems.push(`${name}: ${actual} rows, the source has ${expected}`);
  }
  const targetDb = drizzle(client, { schema: tables }) as unknown as PgDb;
  const sourceTickets = sqliteTicketQueries(source.readDb);
  const targetTickets = ticketQueries(targetDb);
  const accounts: CopySummary['accounts'] = [];
  for (const { id } of source.reader.prepare('SELECT id FROM accounts ORDER BY id').all() as { id: number }[]) {
    // The ADMIN's view: every ticket of the account per status, read from the count tables on both sides.
    const scope = { kind: 'account', accountId: id, userId: null } as const;
    const countsOf = async (queries: Pick<TicketQueries, 'count'>): Promise<TicketCounts> => {
      const [waiting, open, closed] = [await queries.count(scope, { status: 'WAITING', assignedOnly: false }), await queries.count(scope, { status: 'OPEN', assignedOnly: false }), await queries.count(scope, { status: 'CLOSED', assignedOnly: false })];
      return { waiting, open, closed };
    };
    const expected = await countsOf(sourceTickets);
    const actual = await countsOf(targetTickets);
    if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`account ${id}: tickets ${JSON.stringify(actual)}, the source has ${JSON.stringify(expected)}`);
    accounts.push({ id, counts: actual });
  }
  const outboxIssuedThrough = await outboxQueries(targetDb).issuedThrough();
  const sourceIssued = await sqliteOutboxQueries(source.readDb).issuedThrough();
  if (outboxIssuedThrough !== sourceIssued) problems.push(`outbox: ids issued through ${outboxIssuedThrough}, the source through ${sourceIssued}`);
  if (problems.length > 0) throw new Error(`the copy does not match its source, nothing was kept:\n  ${problems.join('\n  ')}`);
  return { tables: copied, accounts, outboxIssuedThrough };
}

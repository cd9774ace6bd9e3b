import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import * as tables from './tables/index.js';

export type PgDb = NodePgDatabase<typeof tables>;

// bigint columns and count(*) as JS numbers: every id and count here stays far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface PgConnections {
  pool: pg.Pool;
  db: PgDb;
  /** A small pool of its own for statements committed apart from any transaction (protocol numbers). */
  counterDb: PgDb;
  /** The host and port the URL names, for messages that must say where the database was expected. */
  where: string;
  /** Drizzle on one checked-out connection (a transaction's); the store keeps it per connection. */
  dbOn(client: pg.PoolClient): PgDb;
  /** Sends a statement written by hand on that connection, reported as drizzle reports its own. */
  send(client: pg.PoolClient, text: string): Promise<pg.QueryResult[]>;
  close(): Promise<void>;
}

export function whereOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    return 'an unparsable DATABASE_URL';
  }
}

/**
 * Why a first connection failed, in one line: the server's own words when it answered (a missing
 * database, a refused password), else the network's code (refused, unknown host, timed out).
 */
export function connectionFailureOf(where: string, error: unknown): string {
  if (error instanceof pg.DatabaseError) return `PostgreSQL at ${where} refused the connection: ${error.message} (${error.code})`;
  const code = (error as { code?: unknown } | null)?.code;
  return `cannot reach PostgreSQL at ${where} (${typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)})`;
}

/**
 * Connections per instance unless DATABASE_POOL_SIZE says otherwise. Each extra backend running at
 * once competes for the cluster's cores; bench/RESULTS.md has the measurements behind the figure.
 */
export const defaultPoolSize = 5;

export function openPool(url: string, size: number, onStatement?: (sql: string) => void): PgConnections {
  // Named in pg_stat_activity unless the URL (application_name=) or PGAPPNAME names them otherwise.
  const named = { fallback_application_name: 'deskgraph' };
  // A backend keeps every named statement with its plan (named.ts) for as long as its connection lives: a
  // connection is replaced after half an hour, so a busy instance's backends do not hold them for days.
  const pool = new pg.Pool({ connectionString: url, max: size, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000, maxLifetimeSeconds: 1800, ...named });
  // An idle client whose server went away emits here; without a listener that would end the process.
  // The pool drops that client and the next checkout connects afresh, so the service heals by itself.
  pool.on('error', () => undefined);
  const logger = onStatement ? { logQuery: (query: string) => onStatement(query) } : false;
  const db = drizzle(pool, { schema: tables, logger });
  // Never a connection of `pool`: a transaction holding one while it waits for a number would starve
  // it. A lock wait past a few seconds turns into an error rather than a hang. A draw need not wait for
  // its own WAL flush: the ticket using the number commits later and flushes it with its own.
  const counters = new pg.Pool({ connectionString: url, max: 2, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000, options: '-c lock_timeout=5000 -c synchronous_commit=off', ...named });
  counters.on('error', () => undefined);
  const counterDb = drizzle(counters, { schema: tables, logger });
  let closed: Promise<void> | null = null;
  return {
    pool,
    db,
    counterDb,
    where: whereOf(url),
    dbOn: (client) => drizzle(client, { schema: tables, logger }),
    async send(client, text) {
      onStatement?.(text);
      // Several statements in one text answer one result each; a single one answers it alone.
      const answered = (await client.query(text)) as pg.QueryResult | pg.QueryResult[];
      return Array.isArray(answered) ? answered : [answered];
    },
    close: () => (closed ??= Promise.all([pool.end(), counters.end()]).then(() => undefined)),
  };
}

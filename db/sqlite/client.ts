import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as tables from './tables/index.js';

export type SqliteDb = BetterSQLite3Database<typeof tables> & { $client: BetterSqlite3.Database };

/** Two connections to one file: writes go through one, plain reads through the other. */
export interface SqliteConnections {
  path: string;
  writer: BetterSqlite3.Database;
  reader: BetterSqlite3.Database;
  writeDb: SqliteDb;
  readDb: SqliteDb;
  close(): void;
}

function tuneForServer(connection: BetterSqlite3.Database): void {
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('temp_store = MEMORY');
  connection.pragma('cache_size = -64000');
}

export function openDatabase(path: string, onStatement?: (sql: string) => void): SqliteConnections {
  if (path === ':memory:') {
    throw new Error('Deskgraph needs a database file (reads and writes use separate connections)');
  }
  mkdirSync(dirname(path), { recursive: true });
  const options = onStatement ? { verbose: (message?: unknown) => onStatement(String(message)) } : {};
  const writer = new BetterSqlite3(path, options);
  tuneForServer(writer);
  const reader = new BetterSqlite3(path, options);
  tuneForServer(reader);
  // The read connection can never write, so a read path cannot bypass the write lock.
  reader.pragma('query_only = ON');
  return {
    path,
    writer,
    reader,
    writeDb: drizzle(writer, { schema: tables }),
    readDb: drizzle(reader, { schema: tables }),
    close() {
      if (!writer.open) return;
      reader.close();
      writer.pragma('optimize');
      writer.close();
    },
  };
}

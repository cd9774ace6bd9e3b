import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { SqliteConnections } from './client.js';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

/** Applies the committed drizzle-kit migrations; already-applied ones are skipped. */
export function migrateDatabase(connections: SqliteConnections): void {
  migrate(connections.writeDb, { migrationsFolder });
}

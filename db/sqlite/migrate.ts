import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { SqliteConnections } from './client.js';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

function appliedCount(connections: SqliteConnections): number {
  const table = connections.writer.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  return table ? (connections.writer.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n : 0;
}

/** Committed migrations not applied to this database (readiness: 0 once start-up migrated it). */
export function pendingMigrations(connections: SqliteConnections): number {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };
  const table = connections.reader.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get();
  const applied = table ? (connections.reader.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n : 0;
  return Math.max(0, journal.entries.length - applied);
}

/**
 * Applies the committed drizzle-kit migrations; already-applied ones are skipped. When a migration
 * ran on a database that already has planner statistics, they are refreshed: an index without
 * statistics beside indexes with them can look cheaper than it is (measured at 1M tickets).
 */
export function migrateDatabase(connections: SqliteConnections): void {
  const before = appliedCount(connections);
  migrate(connections.writeDb, { migrationsFolder });
  const hasStatistics = connections.writer.prepare("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").get();
  if (appliedCount(connections) > before && before > 0 && hasStatistics) connections.writer.exec('ANALYZE');
}

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import type pg from 'pg';

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));
// Any fixed number: every instance migrating the same database takes the same session lock.
const migrationLock = 0x6465736b; // 'desk'

function committedMigrations(): number {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as { entries: unknown[] };
  return journal.entries.length;
}

async function appliedMigrations(client: pg.Pool | pg.PoolClient): Promise<number> {
  const table = await client.query<{ exists: boolean }>("SELECT to_regclass('drizzle.__drizzle_migrations') IS NOT NULL AS exists");
  if (!table.rows[0]?.exists) return 0;
  const applied = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
  return applied.rows[0]?.n ?? 0;
}

/** Committed migrations not applied to this database (readiness: 0 once start-up migrated it). */
export async function pendingMigrations(pool: pg.Pool): Promise<number> {
  return Math.max(0, committedMigrations() - (await appliedMigrations(pool)));
}

/**
 * Applies the committed drizzle-kit migrations under a session advisory lock: instances starting
 * together queue here, and the later ones find nothing left to apply.
 */
export async function migrateDatabase(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLock]);
    try {
      const before = await appliedMigrations(client);
      await migrate(drizzle(client), { migrationsFolder });
      // Fresh indexes beside planned ones: refresh the statistics the planner reads.
      if ((await appliedMigrations(client)) > before && before > 0) await client.query('ANALYZE');
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLock]);
    }
  } finally {
    client.release();
  }
}

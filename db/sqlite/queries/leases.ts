import { and, eq, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { leases } from '../tables/index.js';
import type { Lease } from '../../types.js';

export function leaseQueries(db: SqliteDb) {
  return {
    // SQLite's clock is the machine's: every process sharing the file reads the same one.
    async take(name: string, holder: string, durationMs: number, at: Date = new Date()): Promise<Lease> {
      const now = at.getTime();
      const taken = db
        .insert(leases)
        .values({ name, holder, takenAt: at, expiresAt: new Date(now + durationMs) })
        .onConflictDoUpdate({
          target: leases.name,
          set: {
            holder: sql`excluded.holder`,
            expiresAt: sql`excluded.expires_at`,
            takenAt: sql`CASE WHEN ${leases.holder} = excluded.holder THEN ${leases.takenAt} ELSE excluded.taken_at END`,
          },
          setWhere: sql`${leases.holder} = excluded.holder OR ${leases.expiresAt} <= ${now}`,
        })
        .returning()
        .get();
      return taken ?? db.select().from(leases).where(eq(leases.name, name)).get()!;
    },

    async release(name: string, holder: string): Promise<boolean> {
      return db.delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder))).run().changes > 0;
    },

    async byName(name: string): Promise<Lease | null> {
      return db.select().from(leases).where(eq(leases.name, name)).get() ?? null;
    },
  };
}

import { and, eq, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { leases } from '../tables/index.js';
import type { Lease } from '../../types.js';

export function leaseQueries(db: PgDb) {
  return {
    // The server's clock, so app servers whose clocks disagree still agree on expiry. clock_timestamp(),
    // not now(): a take that waited on the row lock judges expiry when it gets it.
    async take(name: string, holder: string, durationMs: number, at?: Date): Promise<Lease> {
      const now = at ? sql`${at.toISOString()}::timestamptz` : sql`clock_timestamp()`;
      const [taken] = await db
        .insert(leases)
        .values({ name, holder, takenAt: now, expiresAt: sql`${now} + ${durationMs}::float8 * interval '1 millisecond'` })
        .onConflictDoUpdate({
          target: leases.name,
          set: {
            holder: sql`excluded.holder`,
            expiresAt: sql`excluded.expires_at`,
            takenAt: sql`CASE WHEN ${leases.holder} = excluded.holder THEN ${leases.takenAt} ELSE excluded.taken_at END`,
          },
          setWhere: sql`${leases.holder} = excluded.holder OR ${leases.expiresAt} <= ${now}`,
        })
        .returning();
      if (taken) return taken;
      const [held] = await db.select().from(leases).where(eq(leases.name, name));
      return held!;
    },

    async release(name: string, holder: string): Promise<boolean> {
      return (await db.delete(leases).where(and(eq(leases.name, name), eq(leases.holder, holder))).returning({ name: leases.name })).length > 0;
    },

    async byName(name: string): Promise<Lease | null> {
      const [lease] = await db.select().from(leases).where(eq(leases.name, name));
      return lease ?? null;
    },
  };
}

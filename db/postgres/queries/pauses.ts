import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { agentStatusLog, pauseReasons, users } from '../tables/index.js';
import type { PauseReason } from '../../types.js';
import type { PauseQueries } from '../../store.js';
import { anyId, sameId } from './ids.js';
import { sameName } from './texts.js';

/** SQLite's lower(), which its list order uses: ASCII letters only, compared by code point. */
const asciiLowered = (column: typeof pauseReasons.name) => sql`translate(${column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE "C"`;

export function pauseQueries(db: PgDb): PauseQueries {
  const byIds = async (accountId: number, ids: readonly number[]): Promise<PauseReason[]> => {
    if (ids.length === 0) return [];
    return db
      .select()
      .from(pauseReasons)
      .where(and(eq(pauseReasons.accountId, accountId), anyId(pauseReasons.id, ids)))
      .orderBy(asc(pauseReasons.id));
  };

  return {
    async list(accountId, includeInactive) {
      return db
        .select()
        .from(pauseReasons)
        .where(and(eq(pauseReasons.accountId, accountId), includeInactive ? undefined : eq(pauseReasons.active, true)))
        .orderBy(asc(asciiLowered(pauseReasons.name)), asc(pauseReasons.id));
    },

    byIds,

    /** Case-insensitive, with the unique index's own expression. */
    async nameTaken(accountId, name, exceptId) {
      const [row] = await db
        .select({ id: pauseReasons.id })
        .from(pauseReasons)
        .where(
          and(
            eq(pauseReasons.accountId, accountId),
            sameName(pauseReasons.name, name),
            exceptId === undefined ? undefined : sql`${pauseReasons.id} <> ${exceptId}::bigint`,
          ),
        )
        .limit(1);
      return row !== undefined;
    },

    async insert(reason, at) {
      const [row] = await db
        .insert(pauseReasons)
        .values({ ...reason, active: true, createdAt: at })
        .returning();
      return row!;
    },

    async update(accountId, id, changes) {
      if (Object.keys(changes).length === 0) return (await byIds(accountId, [id]))[0] ?? null;
      const [row] = await db
        .update(pauseReasons)
        .set(changes)
        .where(and(eq(pauseReasons.accountId, accountId), sameId(pauseReasons.id, id)))
        .returning();
      return row ?? null;
    },

    /**
     * Ends the agent's current stretch in the log at `at` and opens the next one. The agent's row is
     * locked first, so two status changes of one agent take turns and never leave two stretches open.
     */
    async logStatus(row, at) {
      await db.select({ id: users.id }).from(users).where(eq(users.id, row.userId)).for('no key update');
      await db
        .update(agentStatusLog)
        .set({ endedAt: at })
        .where(and(eq(agentStatusLog.userId, row.userId), isNull(agentStatusLog.endedAt)));
      await db.insert(agentStatusLog).values({ ...row, startedAt: at });
    },

    /** Time each agent spent PAUSED within [since, now], per reason, from the status log (each stretch clipped to the window). */
    async pausedTime(accountId, userIds, since, now) {
      if (userIds.length === 0) return [];
      const from = sql`${since.toISOString()}::timestamptz`;
      const to = sql`${now.toISOString()}::timestamptz`;
      const clipped = sql`least(coalesce(${agentStatusLog.endedAt}, ${to}), ${to}) - greatest(${agentStatusLog.startedAt}, ${from})`;
      return db
        .select({
          userId: agentStatusLog.userId,
          pauseReasonId: agentStatusLog.pauseReasonId,
          pausedMs: sql<number>`sum(extract(epoch from (${clipped})) * 1000)::bigint`.mapWith(Number),
        })
        .from(agentStatusLog)
        .where(
          and(
            eq(agentStatusLog.accountId, accountId),
            eq(agentStatusLog.status, 'PAUSED'),
            anyId(agentStatusLog.userId, userIds),
            sql`(${agentStatusLog.endedAt} IS NULL OR ${agentStatusLog.endedAt} > ${from})`,
            sql`${agentStatusLog.startedAt} < ${to}`,
          ),
        )
        .groupBy(agentStatusLog.userId, agentStatusLog.pauseReasonId)
        .orderBy(asc(agentStatusLog.userId), sql`${agentStatusLog.pauseReasonId} NULLS FIRST`);
    },
  };
}

import { and, asc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { agentStatusLog, pauseReasons } from '../tables/index.js';
import type { AgentStatus, PauseReason, PausedTime } from '../../types.js';

export function pauseQueries(db: SqliteDb) {
  return {
    async list(accountId: number, includeInactive: boolean): Promise<PauseReason[]> {
      return db
        .select()
        .from(pauseReasons)
        .where(and(eq(pauseReasons.accountId, accountId), includeInactive ? undefined : eq(pauseReasons.active, true)))
        .orderBy(asc(sql`lower(${pauseReasons.name})`), asc(pauseReasons.id))
        .all();
    },

    async byIds(accountId: number, ids: readonly number[]): Promise<PauseReason[]> {
      if (ids.length === 0) return [];
      return db.select().from(pauseReasons).where(and(eq(pauseReasons.accountId, accountId), inArray(pauseReasons.id, [...ids]))).all();
    },

    /** Case-insensitive, as the unique index is. */
    async nameTaken(accountId: number, name: string, exceptId?: number): Promise<boolean> {
      const row = db
        .select({ id: pauseReasons.id })
        .from(pauseReasons)
        .where(and(eq(pauseReasons.accountId, accountId), sql`lower(${pauseReasons.name}) = lower(${name})`, exceptId === undefined ? undefined : ne(pauseReasons.id, exceptId)))
        .get();
      return row !== undefined;
    },

    async insert(reason: { accountId: number; name: string }, at: Date): Promise<PauseReason> {
      return db.insert(pauseReasons).values({ ...reason, active: true, createdAt: at }).returning().get();
    },

    async update(accountId: number, id: number, changes: Partial<Pick<PauseReason, 'name' | 'active'>>): Promise<PauseReason | null> {
      if (Object.keys(changes).length === 0) return (await this.byIds(accountId, [id]))[0] ?? null;
      return db.update(pauseReasons).set(changes).where(and(eq(pauseReasons.accountId, accountId), eq(pauseReasons.id, id))).returning().get() ?? null;
    },

    /** Ends the agent's current stretch in the log at `at` and opens the next one. */
    async logStatus(row: { accountId: number; userId: number; status: AgentStatus; pauseReasonId: number | null }, at: Date): Promise<void> {
      db.update(agentStatusLog).set({ endedAt: at }).where(and(eq(agentStatusLog.userId, row.userId), isNull(agentStatusLog.endedAt))).run();
      db.insert(agentStatusLog).values({ ...row, startedAt: at }).run();
    },

    /** Time each agent spent PAUSED within [since, now], per reason, from the status log. */
    async pausedTime(accountId: number, userIds: readonly number[], since: Date, now: Date): Promise<PausedTime[]> {
      if (userIds.length === 0) return [];
      const from = since.getTime();
      const to = now.getTime();
      return db
        .select({
          userId: agentStatusLog.userId,
          pauseReasonId: agentStatusLog.pauseReasonId,
          pausedMs: sql<number>`sum(min(coalesce(${agentStatusLog.endedAt}, ${to}), ${to}) - max(${agentStatusLog.startedAt}, ${from}))`,
        })
        .from(agentStatusLog)
        .where(
          and(
            eq(agentStatusLog.accountId, accountId),
            eq(agentStatusLog.status, 'PAUSED'),
            inArray(agentStatusLog.userId, [...userIds]),
            sql`(${agentStatusLog.endedAt} IS NULL OR ${agentStatusLog.endedAt} > ${from})`,
            sql`${agentStatusLog.startedAt} < ${to}`,
          ),
        )
        .groupBy(agentStatusLog.userId, agentStatusLog.pauseReasonId)
        .all();
    },
  };
}

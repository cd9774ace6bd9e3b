import { and, eq, gte, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import type { MonitoringQueries } from '../../store.js';
import { inMonitoredSectors, monitoredAgentsWhere, monitoredTicketsWhere, sectorList } from '../scope.js';
import { agentResponses, ticketRatings, tickets, ticketTags, users } from '../tables/index.js';
import type { MonitorScope, TicketRating, TodayFigures } from '../../types.js';
import { anyId } from './ids.js';

// Durations are milliseconds, as SQLite's integer instants subtract to. avg() and extract() give
// numeric, which node-postgres hands over as text: every such figure is cast to float8 here.

/** `later - earlier` in milliseconds. */
const millisBetween = (later: string, earlier: string): SQL => sql`(extract(epoch from (${sql.raw(later)} - ${sql.raw(earlier)})) * 1000)`;

/** An instant as milliseconds since the epoch (a number, where a raw timestamptz would come back as text). */
const epochMillis = (instant: SQL): SQL => sql`(extract(epoch from ${instant}) * 1000)::float8`;

export function monitoringQueries(db: PgDb): MonitoringQueries {
  const one = async <T>(query: SQL): Promise<T> => (await db.execute(query)).rows[0] as T;

  return {
    /** Every figure of the panel for [since, now]; each a range on an index of one instant. */
    async today(scope: MonitorScope, since: Date): Promise<TodayFigures> {
      const where = monitoredTicketsWhere(scope);
      const from = sql`${since.toISOString()}::timestamptz`;
      const queue = await one<{ n: number; oldest: number | null }>(
        sql`SELECT count(*) AS n, ${epochMillis(sql`min(queued_at)`)} AS oldest FROM ${tickets} WHERE ${where} AND status = 'WAITING'`,
      );
      // OPEN from the count tables (their writer slots summed, when no channel narrows it), minus the short range of unanswered ones.
      const openTotal =
        scope.channelId !== null
          ? (await one<{ n: number }>(sql`SELECT count(*) AS n FROM ${tickets} WHERE ${where} AND status = 'OPEN'`)).n
          : scope.sectorIds === 'all'
            ? (await one<{ n: number }>(sql`SELECT coalesce(sum(n), 0) AS n FROM ticket_totals WHERE account_id = ${scope.accountId} AND status = 'OPEN'`)).n
            : (await one<{ n: number }>(
                sql`SELECT coalesce(sum(n), 0) AS n FROM ticket_counts WHERE account_id = ${scope.accountId} AND status = 'OPEN' AND sector_id IN (${sectorList(scope.sectorIds)})`,
              )).n;
      const unanswered = (await one<{ n: number }>(sql`SELECT count(*) AS n FROM ${tickets} WHERE ${where} AND status = 'OPEN' AND first_response_at IS NULL`)).n;
      const open = { n: openTotal, answered: openTotal - unanswered };
      const firstDelay = millisBetween('first_response_at', 'accepted_at');
      const first = await one<{ n: number; avg: number | null; max: number | null }>(
        sql`SELECT count(*) AS n, avg(${firstDelay})::float8 AS avg, max(${firstDelay})::float8 AS max
            FROM ${tickets} WHERE ${where} AND first_response_at >= ${from} AND accepted_at IS NOT NULL`,
      );
      const created = await one<{ n: number }>(sql`SELECT count(*) AS n FROM ${tickets} WHERE ${where} AND created_at >= ${from}`);
      const closed = await one<{ n: number; lost: number; abandoned: number; handled: number; handling: number | null }>(
        sql`SELECT count(*) AS n,
              count(*) FILTER (WHERE closed_by = 'CONTACT' AND accepted_at IS NULL) AS lost,
              count(*) FILTER (WHERE closed_by = 'CONTACT' AND accepted_at IS NOT NULL) AS abandoned,
              count(accepted_at) AS handled,
              avg(${millisBetween('closed_at', 'accepted_at')})::float8 AS handling
            FROM ${tickets} WHERE ${where} AND closed_at >= ${from}`,
      );
      // Attended: closed or transferred by an agent today, each ticket once (UNION drops the repeats).
      const attended = await one<{ n: number }>(
        sql`SELECT count(*) AS n FROM (
              SELECT id FROM ${tickets} WHERE ${where} AND closed_at >= ${from} AND closed_by IN ('AGENT', 'ADMIN')
              UNION SELECT h.ticket_id AS id FROM ticket_history h JOIN ${tickets} ON ${tickets.id} = h.ticket_id
                WHERE h.created_at >= ${from} AND h.kind = 'TRANSFERRED' AND h.actor_kind = 'USER' AND ${where}) AS attended`,
      );
      const responseWhere = and(
        eq(agentResponses.accountId, scope.accountId),
        gte(agentResponses.respondedAt, since),
        inMonitoredSectors(agentResponses.sectorId, scope),
        scope.channelId === null ? undefined : eq(agentResponses.channelId, scope.channelId),
      );
      const [response] = await db
        .select({ n: sql<number>`count(*)`.mapWith(Number), avg: sql<number | null>`avg(${agentResponses.delayMs})::float8` })
        .from(agentResponses)
        .where(responseWhere);
      const ratingWhere = and(
        eq(ticketRatings.accountId, scope.accountId),
        gte(ticketRatings.ratedAt, since),
        inMonitoredSectors(ticketRatings.sectorId, scope),
        scope.channelId === null ? undefined : eq(ticketRatings.channelId, scope.channelId),
      );
      const [ratings] = await db
        .select({ n: sql<number>`count(*)`.mapWith(Number), satisfied: sql<number>`count(*) FILTER (WHERE ${ticketRatings.rating} >= 4)`.mapWith(Number) })
        .from(ticketRatings)
        .where(ratingWhere);
      return {
        inQueue: queue.n,
        oldestQueuedAt: queue.oldest === null ? null : new Date(queue.oldest),
        inService: open.answered,
        openTickets: open.n,
        firstResponse: { count: first.n, averageMs: first.avg, maxMs: first.max },
        response: { count: response!.n, averageMs: response!.avg },
        handling: { count: closed.handled, averageMs: closed.handling },
        opened: created.n,
        closed: closed.n,
        attended: attended.n,
        lost: closed.lost,
        abandoned: closed.abandoned,
        ratings: { count: ratings!.n, satisfied: ratings!.satisfied },
      };
    },

    /** How many active agents of the scope are in each status. */
    async agentStatuses(scope: MonitorScope): Promise<Record<string, number>> {
      const rows = await db
        .select({ status: users.status, n: sql<number>`count(*)`.mapWith(Number) })
        .from(users)
        .where(and(eq(users.accountId, scope.accountId), eq(users.active, true), monitoredAgentsWhere(scope)))
        .groupBy(users.status);
      return Object.fromEntries(rows.map((row) => [row.status, row.n]));
    },

    /** Agents of the scope's sectors (every agent of the account for 'all') with their open tickets. */
    async agents(scope: MonitorScope): Promise<{ id: number; name: string; status: string; statusChangedAt: Date; pauseReasonId: number | null; openTickets: number }[]> {
      const rows = await db
        .select({ id: users.id, name: users.name, status: users.status, statusChangedAt: users.statusChangedAt, pauseReasonId: users.pauseReasonId })
        .from(users)
        .where(and(eq(users.accountId, scope.accountId), eq(users.active, true), monitoredAgentsWhere(scope)))
        // COLLATE "C": code point order, as SQLite's BINARY sorts names.
        .orderBy(sql`${users.name} COLLATE "C"`, users.id);
      const ids = rows.map((row) => row.id);
      const counts = new Map(
        ids.length === 0
          ? []
          : (
              await db.execute<{ assignee_id: number; n: number }>(
                sql`SELECT assignee_id, sum(n) AS n FROM ticket_counts WHERE ${anyId(sql`assignee_id`, ids)}
                    AND status = 'OPEN' AND account_id = ${scope.accountId} GROUP BY assignee_id`,
              )
            ).rows.map((row) => [row.assignee_id, row.n]),
      );
      return rows.map((row) => ({ ...row, openTickets: counts.get(row.id) ?? 0 }));
    },

    /** Tickets of the scope in a status, oldest in the queue or longest in service first. */
    async ticketIds(scope: MonitorScope, status: 'WAITING' | 'OPEN', limit: number): Promise<number[]> {
      // NULLS FIRST: where SQLite puts a missing instant in ascending order.
      const order = status === 'WAITING' ? sql`queued_at NULLS FIRST, id` : sql`accepted_at NULLS FIRST, id`;
      const answered = status === 'OPEN' ? sql` AND first_response_at IS NOT NULL` : sql``;
      const { rows } = await db.execute<{ id: number }>(
        sql`SELECT id FROM ${tickets} WHERE ${monitoredTicketsWhere(scope)} AND status = ${status}${answered} ORDER BY ${order} LIMIT ${limit}`,
      );
      return rows.map((row) => row.id);
    },

    /** Tags of the scope's tickets active today, with how many tickets carry each. */
    async tagsToday(scope: MonitorScope, since: Date): Promise<{ tag: string; count: number }[]> {
      return db
        .select({ tag: ticketTags.tag, count: sql<number>`count(*)`.mapWith(Number) })
        .from(ticketTags)
        .innerJoin(tickets, eq(tickets.id, ticketTags.ticketId))
        .where(and(monitoredTicketsWhere(scope), gte(tickets.lastActivityAt, since)))
        .groupBy(ticketTags.tag)
        .orderBy(sql`count(*) DESC`, sql`${ticketTags.tag} COLLATE "C"`);
    },

    async recordResponse(row: { accountId: number; ticketId: number; sectorId: number | null; channelId: number; agentId: number; respondedAt: Date; delayMs: number }): Promise<void> {
      await db.insert(agentResponses).values(row);
    },

    async ratingsOf(ticketIds: readonly number[]): Promise<TicketRating[]> {
      if (ticketIds.length === 0) return [];
      return db.select().from(ticketRatings).where(anyId(ticketRatings.ticketId, ticketIds));
    },

    /** Inserts a rating once; false when the ticket was already rated. */
    async rate(rating: TicketRating): Promise<boolean> {
      // A racing second rating waits on the primary key entry and, once the first commits, inserts nothing.
      const inserted = await db.insert(ticketRatings).values(rating).onConflictDoNothing().returning({ ticketId: ticketRatings.ticketId });
      return inserted.length === 1;
    },

    async scoreOf(agentIds: readonly number[], since: Date): Promise<Map<number, { average: number | null; count: number }>> {
      const scores = new Map<number, { average: number | null; count: number }>(agentIds.map((id) => [id, { average: null, count: 0 }]));
      if (agentIds.length === 0) return scores;
      const rows = await db
        .select({ agentId: ticketRatings.agentId, average: sql<number>`avg(${ticketRatings.rating})::float8`, count: sql<number>`count(*)`.mapWith(Number) })
        .from(ticketRatings)
        .where(and(anyId(ticketRatings.agentId, agentIds), gte(ticketRatings.ratedAt, since), isNotNull(ticketRatings.agentId)))
        .groupBy(ticketRatings.agentId);
      for (const row of rows) scores.set(row.agentId!, { average: row.average, count: row.count });
      return scores;
    },
  };
}

import { and, eq, gte, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { inMonitoredSectors, monitoredAgentsWhere, monitoredTicketsWhere, sectorList } from '../scope.js';
import { agentResponses, ticketRatings, tickets, ticketTags, users } from '../tables/index.js';
import type { MonitorScope, TicketRating, TodayFigures } from '../../types.js';

export function monitoringQueries(db: SqliteDb) {
  const one = <T>(query: SQL) => db.get<T>(query)!;

  return {
    /** Every figure of the panel for [since, now]; each a range on an index of one instant. */
    async today(scope: MonitorScope, since: Date): Promise<TodayFigures> {
      const where = monitoredTicketsWhere(scope);
      const from = since.getTime();
      const queue = one<{ n: number; oldest: number | null }>(sql`SELECT count(*) AS n, min(queued_at) AS oldest FROM tickets WHERE ${where} AND status = 'WAITING'`);
      // OPEN from the count tables (when no channel narrows it), minus the short range of unanswered ones.
      const openTotal =
        scope.channelId !== null
          ? one<{ n: number }>(sql`SELECT count(*) AS n FROM tickets WHERE ${where} AND status = 'OPEN'`).n
          : scope.sectorIds === 'all'
            ? (one<{ n: number } | undefined>(sql`SELECT n FROM ticket_totals WHERE account_id = ${scope.accountId} AND status = 'OPEN'`)?.n ?? 0)
            : (one<{ n: number | null }>(
                sql`SELECT sum(n) AS n FROM ticket_counts WHERE account_id = ${scope.accountId} AND status = 'OPEN' AND sector_id IN (${sectorList(scope.sectorIds)})`,
              ).n ?? 0);
      const unanswered = one<{ n: number }>(sql`SELECT count(*) AS n FROM tickets WHERE ${where} AND status = 'OPEN' AND first_response_at IS NULL`).n;
      const open = { n: openTotal, answered: openTotal - unanswered };
      const first = one<{ n: number; avg: number | null; max: number | null }>(
        sql`SELECT count(*) AS n, avg(first_response_at - accepted_at) AS avg, max(first_response_at - accepted_at) AS max
            FROM tickets WHERE ${where} AND first_response_at >= ${from} AND accepted_at IS NOT NULL`,
      );
      const created = one<{ n: number }>(sql`SELECT count(*) AS n FROM tickets WHERE ${where} AND created_at >= ${from}`);
      const closed = one<{ n: number; byAgent: number; lost: number; abandoned: number; handled: number; handling: number | null }>(
        sql`SELECT count(*) AS n,
              sum(closed_by IN ('AGENT', 'ADMIN')) AS byAgent,
              sum(closed_by = 'CONTACT' AND accepted_at IS NULL) AS lost,
              sum(closed_by = 'CONTACT' AND accepted_at IS NOT NULL) AS abandoned,
              count(accepted_at) AS handled,
              avg(CASE WHEN accepted_at IS NOT NULL THEN closed_at - accepted_at END) AS handling
            FROM tickets WHERE ${where} AND closed_at >= ${from}`,
      );
      // Attended: closed or transferred by an agent today, each ticket once.
      const attended = one<{ n: number }>(
        sql`SELECT count(DISTINCT id) AS n FROM (
              SELECT id FROM tickets WHERE ${where} AND closed_at >= ${from} AND closed_by IN ('AGENT', 'ADMIN')
              UNION SELECT h.ticket_id AS id FROM ticket_history h CROSS JOIN tickets ON tickets.id = h.ticket_id
                WHERE h.created_at >= ${from} AND h.kind = 'TRANSFERRED' AND h.actor_kind = 'USER' AND ${where})`,
      );
      const responseWhere = and(
        eq(agentResponses.accountId, scope.accountId),
        gte(agentResponses.respondedAt, since),
        inMonitoredSectors(agentResponses.sectorId, scope),
        scope.channelId === null ? undefined : eq(agentResponses.channelId, scope.channelId),
      );
      const response = db.select({ n: sql<number>`count(*)`, avg: sql<number | null>`avg(${agentResponses.delayMs})` }).from(agentResponses).where(responseWhere).get()!;
      const ratingWhere = and(
        eq(ticketRatings.accountId, scope.accountId),
        gte(ticketRatings.ratedAt, since),
        inMonitoredSectors(ticketRatings.sectorId, scope),
        scope.channelId === null ? undefined : eq(ticketRatings.channelId, scope.channelId),
      );
      const ratings = db.select({ n: sql<number>`count(*)`, satisfied: sql<number>`coalesce(sum(${ticketRatings.rating} >= 4), 0)` }).from(ticketRatings).where(ratingWhere).get()!;
      return {
        inQueue: queue.n,
        oldestQueuedAt: queue.oldest === null ? null : new Date(queue.oldest),
        inService: open.answered,
        openTickets: open.n,
        firstResponse: { count: first.n, averageMs: first.avg, maxMs: first.max },
        response: { count: response.n, averageMs: response.avg },
        handling: { count: closed.handled, averageMs: closed.handling },
        opened: created.n,
        closed: closed.n,
        attended: attended.n,
        lost: closed.lost ?? 0,
        abandoned: closed.abandoned ?? 0,
        ratings: { count: ratings.n, satisfied: ratings.satisfied },
      };
    },

    /** How many active agents of the scope are in each status. */
    async agentStatuses(scope: MonitorScope): Promise<Record<string, number>> {
      const rows = db
        .select({ status: users.status, n: sql<number>`count(*)` })
        .from(users)
        .where(and(eq(users.accountId, scope.accountId), eq(users.active, true), monitoredAgentsWhere(scope)))
        .groupBy(users.status)
        .all();
      return Object.fromEntries(rows.map((row) => [row.status, row.n]));
    },

    /** Agents of the scope's sectors (every agent of the account for 'all') with their open tickets. */
    async agents(scope: MonitorScope): Promise<{ id: number; name: string; status: string; statusChangedAt: Date; pauseReasonId: number | null; openTickets: number }[]> {
      const rows = db
        .select({ id: users.id, name: users.name, status: users.status, statusChangedAt: users.statusChangedAt, pauseReasonId: users.pauseReasonId })
        .from(users)
        .where(and(eq(users.accountId, scope.accountId), eq(users.active, true), monitoredAgentsWhere(scope)))
        .orderBy(users.name, users.id)
        .all();
      const ids = rows.map((row) => row.id);
      const counts = new Map(
        ids.length === 0
          ? []
          : db
              .all<{ assignee_id: number; n: number }>(
                sql`SELECT assignee_id, sum(n) AS n FROM ticket_counts WHERE assignee_id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})
                    AND status = 'OPEN' AND account_id = ${scope.accountId} GROUP BY assignee_id`,
              )
              .map((row) => [row.assignee_id, row.n]),
      );
      return rows.map((row) => ({ ...row, openTickets: counts.get(row.id) ?? 0 }));
    },

    /** Tickets of the scope in a status, oldest in the queue or longest in service first. */
    async ticketIds(scope: MonitorScope, status: 'WAITING' | 'OPEN', limit: number): Promise<number[]> {
      const order = status === 'WAITING' ? sql`queued_at, id` : sql`accepted_at, id`;
      const answered = status === 'OPEN' ? sql` AND first_response_at IS NOT NULL` : sql``;
      return db.all<{ id: number }>(sql`SELECT id FROM tickets WHERE ${monitoredTicketsWhere(scope)} AND status = ${status}${answered} ORDER BY ${order} LIMIT ${limit}`).map((row) => row.id);
    },

    /** Tags of the scope's tickets active today, with how many tickets carry each. */
    async tagsToday(scope: MonitorScope, since: Date): Promise<{ tag: string; count: number }[]> {
      return db
        .select({ tag: ticketTags.tag, count: sql<number>`count(*)` })
        .from(ticketTags)
        .innerJoin(tickets, eq(tickets.id, ticketTags.ticketId))
        .where(and(monitoredTicketsWhere(scope), gte(tickets.lastActivityAt, since)))
        .groupBy(ticketTags.tag)
        .orderBy(sql`count(*) DESC`, ticketTags.tag)
        .all();
    },

    async recordResponse(row: { accountId: number; ticketId: number; sectorId: number | null; channelId: number; agentId: number; respondedAt: Date; delayMs: number }): Promise<void> {
      db.insert(agentResponses).values(row).run();
    },

    async ratingsOf(ticketIds: readonly number[]): Promise<TicketRating[]> {
      if (ticketIds.length === 0) return [];
      return db.select().from(ticketRatings).where(inArray(ticketRatings.ticketId, [...ticketIds])).all();
    },

    /** Inserts a rating once; false when the ticket was already rated. */
    async rate(rating: TicketRating): Promise<boolean> {
      return db.insert(ticketRatings).values(rating).onConflictDoNothing().run().changes === 1;
    },

    async scoreOf(agentIds: readonly number[], since: Date): Promise<Map<number, { average: number | null; count: number }>> {
      const scores = new Map<number, { average: number | null; count: number }>(agentIds.map((id) => [id, { average: null, count: 0 }]));
      if (agentIds.length === 0) return scores;
      const rows = db
        .select({ agentId: ticketRatings.agentId, average: sql<number>`avg(${ticketRatings.rating})`, count: sql<number>`count(*)` })
        .from(ticketRatings)
        .where(and(inArray(ticketRatings.agentId, [...agentIds]), gte(ticketRatings.ratedAt, since), isNotNull(ticketRatings.agentId)))
        .groupBy(ticketRatings.agentId)
        .all();
      for (const row of rows) scores.set(row.agentId!, { average: row.average, count: row.count });
      return scores;
    },
  };
}

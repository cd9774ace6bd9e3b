import { and, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { publicUserColumns } from '../rows.js';
import { visibleTicketsWhere } from '../scope.js';
import { absenceSettings, afterHoursContacts, contacts, tickets, ticketAutoReplies, userSectors, users } from '../tables/index.js';
import type { AbsenceSetting, AfterHoursRow, AutoReplyKind, TicketScope, User } from '../../types.js';

export function intakeQueries(db: SqliteDb) {
  return {
    async absenceOf(userId: number): Promise<AbsenceSetting | null> {
      return db.select().from(absenceSettings).where(eq(absenceSettings.userId, userId)).get() ?? null;
    },

    /** Absences of many users in one statement; users without one are absent from the map. */
    async absencesOf(userIds: readonly number[]): Promise<Map<number, AbsenceSetting>> {
      if (userIds.length === 0) return new Map();
      const rows = db.select().from(absenceSettings).where(inArray(absenceSettings.userId, [...userIds])).all();
      return new Map(rows.map((row) => [row.userId, row]));
    },

    async saveAbsence(setting: AbsenceSetting): Promise<AbsenceSetting> {
      const { userId: _key, ...changes } = setting;
      return db.insert(absenceSettings).values(setting).onConflictDoUpdate({ target: absenceSettings.userId, set: changes }).returning().get();
    },

    /** Claims an automatic reply for a ticket; false when it was already sent (exactly once, race-free). */
    async claimAutoReply(ticketId: number, kind: AutoReplyKind, ref: number, at: Date): Promise<boolean> {
      const result = db.insert(ticketAutoReplies).values({ ticketId, kind, ref, sentAt: at }).onConflictDoNothing().run();
      return result.changes === 1;
    },

    async hasAutoReply(ticketId: number, kind: AutoReplyKind, ref: number): Promise<boolean> {
      return (await db.$count(ticketAutoReplies, and(eq(ticketAutoReplies.ticketId, ticketId), eq(ticketAutoReplies.kind, kind), eq(ticketAutoReplies.ref, ref)))) > 0;
    },

    async autoRepliesOf(ticketId: number, kind: AutoReplyKind): Promise<number> {
      return db.$count(ticketAutoReplies, and(eq(ticketAutoReplies.ticketId, ticketId), eq(ticketAutoReplies.kind, kind)));
    },

    /** One row per ticket: the first time its contact wrote while the channel was closed. */
    async recordAfterHours(row: { accountId: number; channelId: number; contactId: number; ticketId: number; wroteAt: Date }): Promise<void> {
      const known = db.select({ id: afterHoursContacts.id }).from(afterHoursContacts).where(eq(afterHoursContacts.ticketId, row.ticketId)).get();
      if (!known) db.insert(afterHoursContacts).values(row).run();
    },

    /** Contacts who wrote outside hours since `since`, newest first, through the ticket visibility rule. */
    async afterHours(scope: TicketScope, since: Date, channelId: number | null, limit: number): Promise<AfterHoursRow[]> {
      return db
        .select({
          id: afterHoursContacts.id,
          wroteAt: afterHoursContacts.wroteAt,
          contactId: afterHoursContacts.contactId,
          contactName: contacts.name,
          contactPhone: contacts.phone,
          channelId: afterHoursContacts.channelId,
          ticketId: afterHoursContacts.ticketId,
          callbackRequested: tickets.callbackRequested,
          // ref 1 of OUT_OF_HOURS is the call-back question (resolvers/tickets/intake-automation.ts).
          callbackAsked: sql<number>`EXISTS (SELECT 1 FROM ticket_auto_replies r WHERE r.ticket_id = ${afterHoursContacts.ticketId} AND r.kind = 'OUT_OF_HOURS' AND r.ref = 1)`.mapWith(Boolean),
          activeMessageSentAt: sql<number | null>`(SELECT min(m.created_at) FROM messages m JOIN tickets t2 ON t2.id = m.ticket_id
            WHERE t2.contact_id = ${afterHoursContacts.contactId} AND m.kind = 'TEMPLATE' AND m.created_at >= ${afterHoursContacts.wroteAt})`.mapWith((value: number | null) =>
            value === null ? null : new Date(value),
          ),
        })
        .from(afterHoursContacts)
        .innerJoin(tickets, eq(tickets.id, afterHoursContacts.ticketId))
        .innerJoin(contacts, eq(contacts.id, afterHoursContacts.contactId))
        .where(
          and(
            eq(afterHoursContacts.accountId, scope.accountId),
            gte(afterHoursContacts.wroteAt, since),
            channelId === null ? undefined : eq(afterHoursContacts.channelId, channelId),
            visibleTicketsWhere(scope),
          ),
        )
        .orderBy(desc(afterHoursContacts.wroteAt), desc(afterHoursContacts.id))
        .limit(limit)
        .all();
    },

    /** Active agents of a sector, for routing; the caller judges availability. */
    async agentsOfSector(accountId: number, sectorId: number): Promise<User[]> {
      return db
        .select(publicUserColumns)
        .from(userSectors)
        .innerJoin(users, eq(users.id, userSectors.userId))
        .where(and(eq(userSectors.sectorId, sectorId), eq(users.accountId, accountId), eq(users.active, true)))
        .orderBy(users.id)
        .all();
    },

    /** OPEN tickets per agent, for capacity and LEAST_BUSY, from the count table. */
    async openCountsOf(accountId: number, userIds: readonly number[]): Promise<Map<number, number>> {
      const counts = new Map<number, number>(userIds.map((id) => [id, 0]));
      if (userIds.length === 0) return counts;
      const rows = db.all<{ assignee_id: number; n: number }>(
        sql`SELECT assignee_id, sum(n) AS n FROM ticket_counts WHERE status = 'OPEN' AND account_id = ${accountId}
            AND assignee_id IN (${sql.join(userIds.map((id) => sql`${id}`), sql`, `)}) GROUP BY assignee_id`,
      );
      for (const row of rows) counts.set(row.assignee_id, row.n);
      return counts;
    },

    /** SQLite runs one writer at a time: every routing decision already reads what the one before handed out. */
    async takeRoutingTurn(_accountId: number): Promise<void> {},
  };
}

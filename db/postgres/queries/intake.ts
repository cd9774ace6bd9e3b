import { and, desc, eq, getTableColumns, gte, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import type { IntakeQueries } from '../../store.js';
import { visibleTicketsWhere } from '../scope.js';
import { absenceSettings, afterHoursContacts, contacts, messages, tickets, ticketAutoReplies, userSectors, users } from '../tables/index.js';
import type { AbsenceSetting, AfterHoursRow, AutoReplyKind, TicketScope, User } from '../../types.js';
import { anyId } from './ids.js';

const { passwordHash: _secret, ...publicUserColumns } = getTableColumns(users);
const routingTurnLock = 0x726f7574; // 'rout'

export function intakeQueries(db: PgDb): IntakeQueries {
  return {
    async absenceOf(userId: number): Promise<AbsenceSetting | null> {
      const [row] = await db.select().from(absenceSettings).where(eq(absenceSettings.userId, userId));
      return row ?? null;
    },

    /** Absences of many users in one statement; users without one are absent from the map. */
    async absencesOf(userIds: readonly number[]): Promise<Map<number, AbsenceSetting>> {
      if (userIds.length === 0) return new Map();
      const rows = await db.select().from(absenceSettings).where(anyId(absenceSettings.userId, userIds));
      return new Map(rows.map((row) => [row.userId, row]));
    },

    async saveAbsence(setting: AbsenceSetting): Promise<AbsenceSetting> {
      const { userId: _key, ...changes } = setting;
      const [row] = await db.insert(absenceSettings).values(setting).onConflictDoUpdate({ target: absenceSettings.userId, set: changes }).returning();
      return row!;
    },

    /** Claims an automatic reply for a ticket; false when it was already sent (exactly once, race-free). */
    async claimAutoReply(ticketId: number, kind: AutoReplyKind, ref: number, at: Date): Promise<boolean> {
      // A racing claimer waits on the primary key entry and, once the first commits, inserts nothing.
      const claimed = await db.insert(ticketAutoReplies).values({ ticketId, kind, ref, sentAt: at }).onConflictDoNothing().returning({ ticketId: ticketAutoReplies.ticketId });
      return claimed.length === 1;
    },

    async hasAutoReply(ticketId: number, kind: AutoReplyKind, ref: number): Promise<boolean> {
      return (await db.$count(ticketAutoReplies, and(eq(ticketAutoReplies.ticketId, ticketId), eq(ticketAutoReplies.kind, kind), eq(ticketAutoReplies.ref, ref)))) > 0;
    },

    async autoRepliesOf(ticketId: number, kind: AutoReplyKind): Promise<number> {
      return db.$count(ticketAutoReplies, and(eq(ticketAutoReplies.ticketId, ticketId), eq(ticketAutoReplies.kind, kind)));
    },

    /** One row per ticket: the first time its contact wrote while the channel was closed. */
    async recordAfterHours(row: { accountId: number; channelId: number; contactId: number; ticketId: number; wroteAt: Date }): Promise<void> {
      // No unique index holds "one per ticket", so writers for one ticket take turns on its row
      // (the lock an UPDATE of the ticket takes anyway) before looking.
      await db.execute(sql`SELECT 1 FROM ${tickets} WHERE ${tickets.id} = ${row.ticketId} FOR NO KEY UPDATE`);
      await db.execute(sql`INSERT INTO ${afterHoursContacts} (account_id, channel_id, contact_id, ticket_id, wrote_at)
        SELECT ${row.accountId}, ${row.channelId}, ${row.contactId}, ${row.ticketId}, ${row.wroteAt.toISOString()}::timestamptz
        WHERE NOT EXISTS (SELECT 1 FROM ${afterHoursContacts} WHERE ${afterHoursContacts.ticketId} = ${row.ticketId})`);
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
          callbackAsked: sql<boolean>`EXISTS (SELECT 1 FROM ticket_auto_replies r WHERE r.ticket_id = ${afterHoursContacts.ticketId} AND r.kind = 'OUT_OF_HOURS' AND r.ref = 1)`,
          activeMessageSentAt: sql<Date | null>`(SELECT min(m.created_at) FROM messages m JOIN tickets t2 ON t2.id = m.ticket_id
            WHERE t2.contact_id = ${afterHoursContacts.contactId} AND m.kind = 'TEMPLATE' AND m.created_at >= ${afterHoursContacts.wroteAt})`.mapWith(messages.createdAt),
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
        .limit(limit);
    },

    /** Active agents of a sector, for routing; the caller judges availability. */
    async agentsOfSector(accountId: number, sectorId: number): Promise<User[]> {
      return db
        .select(publicUserColumns)
        .from(userSectors)
        .innerJoin(users, eq(users.id, userSectors.userId))
        .where(and(eq(userSectors.sectorId, sectorId), eq(users.accountId, accountId), eq(users.active, true)))
        .orderBy(users.id);
    },

    /** OPEN tickets per agent, for capacity and LEAST_BUSY, from the count table (its writer slots summed). */
    async openCountsOf(accountId: number, userIds: readonly number[]): Promise<Map<number, number>> {
      const counts = new Map<number, number>(userIds.map((id) => [id, 0]));
      if (userIds.length === 0) return counts;
      const { rows } = await db.execute<{ assignee_id: number; n: number }>(
        sql`SELECT assignee_id, sum(n) AS n FROM ticket_counts WHERE status = 'OPEN' AND account_id = ${accountId}
            AND ${anyId(sql`assignee_id`, userIds)} GROUP BY assignee_id`,
      );
      for (const row of rows) counts.set(row.assignee_id, row.n);
      return counts;
    },

    /** Writers run together here: a transaction-level advisory lock per account, apart from the outbox's and any row. */
    async takeRoutingTurn(accountId: number): Promise<void> {
      await db.execute(sql`SELECT pg_advisory_xact_lock(${routingTurnLock}, ${accountId}::int4)`);
    },
  };
}

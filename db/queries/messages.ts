import { and, asc, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { messages, ticketHistory } from '../tables/index.js';
import type { Message, TicketHistoryEntry } from '../types.js';

export type NewMessage = Omit<Message, 'id' | 'externalId'> & { externalId?: string | null };
export type NewTicketHistoryEntry = Omit<TicketHistoryEntry, 'id'>;

export function messageQueries(db: SqliteDb) {
  return {
    async byIds(accountId: number, ids: readonly number[]): Promise<Message[]> {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(messages)
        .where(and(eq(messages.accountId, accountId), inArray(messages.id, [...ids])))
        .all();
    },

    /** A ticket's messages, newest first; the caller has already checked the ticket is visible. */
    async pageOf(ticketId: number, first: number, beforeId?: number): Promise<{ messages: Message[]; hasNextPage: boolean }> {
      const rows = db
        .select()
        .from(messages)
        .where(and(eq(messages.ticketId, ticketId), beforeId === undefined ? undefined : lt(messages.id, beforeId)))
        .orderBy(desc(messages.id))
        .limit(first + 1)
        .all();
      return { messages: rows.slice(0, first), hasNextPage: rows.length > first };
    },

    /** When the contact last wrote on any of their tickets of a channel (null: never). */
    async lastInboundAt(contactId: number, channelId: number | null): Promise<Date | null> {
      const row = db.get<{ at: number | null }>(
        sql`SELECT max(m.created_at) AS at FROM tickets t JOIN messages m ON m.ticket_id = t.id
            WHERE t.contact_id = ${contactId} AND m.direction = 'IN'${channelId === null ? sql`` : sql` AND t.channel_id = ${channelId}`}`,
      );
      return row?.at ? new Date(row.at) : null;
    },

    async countOf(ticketId: number): Promise<number> {
      return db.$count(messages, eq(messages.ticketId, ticketId));
    },

    /** A whole conversation, oldest first, up to `limit` messages. */
    async allOf(ticketId: number, limit: number): Promise<Message[]> {
      return db.select().from(messages).where(eq(messages.ticketId, ticketId)).orderBy(asc(messages.id)).limit(limit).all();
    },

    async byExternalId(accountId: number, externalId: string): Promise<Message | null> {
      return db.select().from(messages).where(and(eq(messages.accountId, accountId), eq(messages.externalId, externalId))).get() ?? null;
    },

    async insert(message: NewMessage): Promise<Message> {
      return db.insert(messages).values(message).returning().get();
    },

    async historyOf(ticketIds: readonly number[]): Promise<Map<number, TicketHistoryEntry[]>> {
      const byTicket = new Map<number, TicketHistoryEntry[]>(ticketIds.map((id) => [id, []]));
      if (ticketIds.length === 0) return byTicket;
      const rows = db.select().from(ticketHistory).where(inArray(ticketHistory.ticketId, [...ticketIds])).orderBy(asc(ticketHistory.id)).all();
      for (const row of rows) byTicket.get(row.ticketId)?.push(row);
      return byTicket;
    },

    async recordHistory(entry: NewTicketHistoryEntry): Promise<TicketHistoryEntry> {
      return db.insert(ticketHistory).values(entry).returning().get();
    },
  };
}

export type MessageQueries = ReturnType<typeof messageQueries>;

import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { beyond, pageOfRows, readOrder } from '../../pages.js';
import type { SqliteDb } from '../client.js';
import { idList, preparedOn } from '../prepared.js';
import { hotReads } from '../hot-reads.js';
import { messageOf } from '../rows.js';
import { attachments, messages, ticketHistory } from '../tables/index.js';
import type { Message, NewMessage, PageDirection, NewTicketHistoryEntry, StoredAttachment, TicketHistoryEntry } from '../../types.js';

export function messageQueries(db: SqliteDb) {
  const prepared = preparedOn(db);
  return {
    async byIds(accountId: number, ids: readonly number[]): Promise<Message[]> {
      if (ids.length === 0) return [];
      return prepared.rows(hotReads.messagesByIds, accountId, idList(ids)).map(messageOf);
    },

    /** A ticket's messages, newest first; the caller has already checked the ticket is visible. */
    async pageOf(ticketId: number, size: number, cursorId?: number, direction: PageDirection = 'forward'): Promise<{ messages: Message[]; hasMore: boolean }> {
      if (direction === 'backward') {
        const rows = db.select().from(messages).where(and(eq(messages.ticketId, ticketId), beyond(messages.id, cursorId, direction))).orderBy(readOrder(direction)(messages.id)).limit(size + 1).all();
        const page = pageOfRows(rows, size, direction);
        return { messages: page.rows, hasMore: page.hasMore };
      }
      const rows = (cursorId === undefined ? prepared.rows(hotReads.messagesOfTicket, ticketId, size + 1) : prepared.rows(hotReads.messagesOfTicketBefore, ticketId, cursorId, size + 1)).map(messageOf);
      return { messages: rows.slice(0, size), hasMore: rows.length > size };
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

    async insertAttachments(rows: readonly StoredAttachment[]): Promise<void> {
      if (rows.length > 0) db.insert(attachments).values([...rows]).run();
    },

    async attachmentById(accountId: number, id: string): Promise<StoredAttachment | null> {
      return db.select().from(attachments).where(and(eq(attachments.accountId, accountId), eq(attachments.id, id))).get() ?? null;
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

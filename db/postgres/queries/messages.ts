import { and, asc, eq, sql } from 'drizzle-orm';
import { pageOfRows, readOrder } from '../../pages.js';
import type { PgDb } from '../client.js';
import type { MessageQueries } from '../../store.js';
import { attachments, messages, ticketHistory, tickets } from '../tables/index.js';
import type { Message, NewMessage, PageDirection, NewTicketHistoryEntry, StoredAttachment, TicketHistoryEntry } from '../../types.js';
import { anyId, beyondId, sameId } from './ids.js';
import { namedSelect } from '../named.js';

export function messageQueries(db: PgDb): MessageQueries {
  // Loaders ask for ids on every nested page: compiled once per store, only the ids change.
  const messagesByIds = db
    .select()
    .from(messages)
    .where(and(anyId(messages.id, sql.placeholder('ids')), eq(messages.accountId, sql.placeholder('accountId'))))
    .prepare('messages_by_ids');
  // A channel's redelivery check, on every ingested message that carries its id.
  const messageByExternalId = db
    .select()
    .from(messages)
    .where(and(eq(messages.accountId, sql.placeholder('accountId')), eq(messages.externalId, sql.placeholder('externalId'))))
    .limit(1)
    .prepare('message_by_external_id');

  return {
    async byIds(accountId: number, ids: readonly number[]): Promise<Message[]> {
      if (ids.length === 0) return [];
      return messagesByIds.execute({ ids: [...ids], accountId });
    },

    /** A ticket's messages, newest first; the caller has already checked the ticket is visible. */
    async pageOf(ticketId: number, size: number, cursorId?: number, direction: PageDirection = 'forward'): Promise<{ messages: Message[]; hasMore: boolean }> {
      const rows = await namedSelect(
        db
          .select()
          .from(messages)
          .where(and(sameId(messages.ticketId, ticketId), beyondId(messages.id, cursorId, direction)))
          .orderBy(readOrder(direction)(messages.id))
          .limit(size + 1),
      );
      const page = pageOfRows(rows, size, direction);
      return { messages: page.rows, hasMore: page.hasMore };
    },

    /** When the contact last wrote on any of their tickets of a channel (null: never). */
    async lastInboundAt(contactId: number, channelId: number | null): Promise<Date | null> {
      const [row] = await db
        .select({ at: sql<Date | null>`max(${messages.createdAt})`.mapWith(messages.createdAt) })
        .from(tickets)
        .innerJoin(messages, eq(messages.ticketId, tickets.id))
        .where(and(eq(tickets.contactId, contactId), eq(messages.direction, 'IN'), channelId === null ? undefined : eq(tickets.channelId, channelId)));
      return row?.at ?? null;
    },

    async countOf(ticketId: number): Promise<number> {
      return db.$count(messages, sameId(messages.ticketId, ticketId));
    },

    /** A whole conversation, oldest first, up to `limit` messages. */
    async allOf(ticketId: number, limit: number): Promise<Message[]> {
      return db.select().from(messages).where(sameId(messages.ticketId, ticketId)).orderBy(asc(messages.id)).limit(limit);
    },

    // Read-then-insert is safe here: the unique index messages_external makes a racing second insert
    // fail with unique_violation, and the store runs the transaction again, which then finds the first.
    async byExternalId(accountId: number, externalId: string): Promise<Message | null> {
      // PostgreSQL text holds no NUL: no stored message has such an id (and the bound value would fail).
      if (externalId.includes('\u0000')) return null;
      const [row] = await messageByExternalId.execute({ accountId, externalId });
      return row ?? null;
    },

    async insert(message: NewMessage): Promise<Message> {
      const [row] = await db.insert(messages).values(message).returning();
      return row!;
    },

    async insertAttachments(rows: readonly StoredAttachment[]): Promise<void> {
      if (rows.length > 0) await db.insert(attachments).values([...rows]);
    },

    async attachmentById(accountId: number, id: string): Promise<StoredAttachment | null> {
      if (id.includes('\u0000')) return null;
      const [row] = await db.select().from(attachments).where(and(eq(attachments.accountId, accountId), eq(attachments.id, id))).limit(1);
      return row ?? null;
    },

    async historyOf(ticketIds: readonly number[]): Promise<Map<number, TicketHistoryEntry[]>> {
      const byTicket = new Map<number, TicketHistoryEntry[]>(ticketIds.map((id) => [id, []]));
      if (ticketIds.length === 0) return byTicket;
      const rows = await db.select().from(ticketHistory).where(anyId(ticketHistory.ticketId, ticketIds)).orderBy(asc(ticketHistory.id));
      for (const row of rows) byTicket.get(row.ticketId)?.push(row);
      return byTicket;
    },

    async recordHistory(entry: NewTicketHistoryEntry): Promise<TicketHistoryEntry> {
      const [row] = await db.insert(ticketHistory).values(entry).returning();
      return row!;
    },
  };
}

import { sql } from 'drizzle-orm';
import { index, integer, json, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { ActorKind, Attachment, MessageAuthor, MessageDirection, MessageKind, TicketHistoryKind } from '../../types.js';
import { accounts } from './accounts.js';
import { tickets } from './tickets.js';
import { users } from './users.js';

export const messages = pgTable(
  'messages',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    direction: text('direction').$type<MessageDirection>().notNull(),
    author: text('author').$type<MessageAuthor>().notNull(),
    authorUserId: integer('author_user_id').references(() => users.id),
    kind: text('kind').$type<MessageKind>().notNull(),
    body: text('body'),
    attachments: json('attachments').$type<Attachment[]>().notNull().default([]),
    // The message's id at the channel (e.g. a WhatsApp or Chatwoot id): a redelivery is recognised.
    externalId: text('external_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [
    index('messages_ticket').on(t.ticketId, t.id),
    uniqueIndex('messages_external').on(t.accountId, t.externalId).where(sql`external_id IS NOT NULL`),
  ],
);

/** Who did what to a ticket, and when: readable on the ticket. */
export const ticketHistory = pgTable(
  'ticket_history',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    kind: text('kind').$type<TicketHistoryKind>().notNull(),
    actorKind: text('actor_kind').$type<ActorKind>().notNull(),
    actorId: integer('actor_id'),
    data: json('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [index('ticket_history_ticket').on(t.ticketId, t.id), index('ticket_history_time').on(t.createdAt, t.kind)],
);

import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { messages } from './messages.js';
import { tickets } from './tickets.js';

/** Files agents uploaded: the bytes sit in the attachment storage under `storageKey`, served at /attachments/<id>. */
export const attachments = pgTable(
  'attachments',
  {
    // Random and public (it is in the URL): guessing one gets nothing, and the visibility rule still applies.
    id: text('id').primaryKey(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    messageId: integer('message_id')
      .notNull()
      .references(() => messages.id),
    storageKey: text('storage_key').notNull(),
    mime: text('mime').notNull(),
    name: text('name'),
    size: integer('size').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [index('attachments_message').on(t.messageId)],
);

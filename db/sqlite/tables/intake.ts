import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { AutoReplyKind } from '../../types.js';
import { accounts } from './accounts.js';
import { channels } from './channels.js';
import { contacts } from './contacts.js';
import { tickets } from './tickets.js';
import { users } from './users.js';

/** An agent's absence: while on (and inside the window, if any) contacts get the message once per ticket. */
export const absenceSettings = sqliteTable('absence_settings', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id),
  accountId: integer('account_id')
    .notNull()
    .references(() => accounts.id),
  enabled: integer('enabled', { mode: 'boolean' }).notNull(),
  message: text('message'),
  startsAt: integer('starts_at', { mode: 'timestamp_ms' }),
  endsAt: integer('ends_at', { mode: 'timestamp_ms' }),
  suggestedUserId: integer('suggested_user_id').references(() => users.id),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

/** Which automatic replies a ticket already got, so each is sent exactly once (ref: user, attempt...). */
export const ticketAutoReplies = sqliteTable(
  'ticket_auto_replies',
  {
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    kind: text('kind').$type<AutoReplyKind>().notNull(),
    ref: integer('ref').notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.kind, t.ref] })],
);

/** A contact who wrote while the channel was closed: the out-of-hours list reads these. */
export const afterHoursContacts = sqliteTable(
  'after_hours_contacts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    channelId: integer('channel_id')
      .notNull()
      .references(() => channels.id),
    contactId: integer('contact_id')
      .notNull()
      .references(() => contacts.id),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    wroteAt: integer('wrote_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('after_hours_account_time').on(t.accountId, t.wroteAt), index('after_hours_ticket').on(t.ticketId)],
);

import { boolean, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import type { AutoReplyKind } from '../../types.js';
import { accounts } from './accounts.js';
import { channels } from './channels.js';
import { contacts } from './contacts.js';
import { tickets } from './tickets.js';
import { users } from './users.js';

/** An agent's absence: while on (and inside the window, if any) contacts get the message once per ticket. */
export const absenceSettings = pgTable('absence_settings', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id),
  accountId: integer('account_id')
    .notNull()
    .references(() => accounts.id),
  enabled: boolean('enabled').notNull(),
  message: text('message'),
  startsAt: timestamp('starts_at', { withTimezone: true, mode: 'date', precision: 3 }),
  endsAt: timestamp('ends_at', { withTimezone: true, mode: 'date', precision: 3 }),
  suggestedUserId: integer('suggested_user_id').references(() => users.id),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
});

/** Which automatic replies a ticket already got, so each is sent exactly once (ref: user, attempt...). */
export const ticketAutoReplies = pgTable(
  'ticket_auto_replies',
  {
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    kind: text('kind').$type<AutoReplyKind>().notNull(),
    ref: integer('ref').notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.kind, t.ref] })],
);

/** A contact who wrote while the channel was closed: the out-of-hours list reads these. */
export const afterHoursContacts = pgTable(
  'after_hours_contacts',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
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
    wroteAt: timestamp('wrote_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [index('after_hours_account_time').on(t.accountId, t.wroteAt), index('after_hours_ticket').on(t.ticketId)],
);

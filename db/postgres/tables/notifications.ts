import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { NotificationKind } from '../../types.js';
import { accounts } from './accounts.js';

/** Something for one agent to look at (a mention in a note); read once they mark it. */
export const notifications = pgTable(
  'notifications',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    userId: integer('user_id').notNull(),
    kind: text('kind').$type<NotificationKind>().notNull(),
    ticketId: integer('ticket_id').notNull(),
    messageId: integer('message_id'),
    byUserId: integer('by_user_id'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true, mode: 'date', precision: 3 }),
  },
  (t) => [index('notifications_user').on(t.userId, t.id), index('notifications_user_unread').on(t.userId, t.readAt, t.id)],
);

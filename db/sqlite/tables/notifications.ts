import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { NotificationKind } from '../../types.js';
import { accounts } from './accounts.js';

/** Something for one agent to look at (a mention in a note); read once they mark it. */
export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    userId: integer('user_id').notNull(),
    kind: text('kind').$type<NotificationKind>().notNull(),
    ticketId: integer('ticket_id').notNull(),
    messageId: integer('message_id'),
    byUserId: integer('by_user_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    readAt: integer('read_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('notifications_user').on(t.userId, t.id), index('notifications_user_unread').on(t.userId, t.readAt, t.id)],
);

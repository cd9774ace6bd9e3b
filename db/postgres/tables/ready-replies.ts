import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { sectors } from './sectors.js';

export const readyReplyCategories = pgTable(
  'ready_reply_categories',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    position: integer('position').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [uniqueIndex('ready_reply_categories_account_name').on(t.accountId, sql`lower(${t.name})`)],
);

export const readyReplies = pgTable(
  'ready_replies',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    categoryId: integer('category_id')
      .notNull()
      .references(() => readyReplyCategories.id, { onDelete: 'cascade' }),
    title: text('title').notNull(),
    body: text('body').notNull(),
    position: integer('position').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [index('ready_replies_category').on(t.categoryId, t.position)],
);

/** A reply limited to some sectors; a reply with no rows here is for every sector. */
export const readyReplySectors = pgTable(
  'ready_reply_sectors',
  {
    replyId: integer('reply_id')
      .notNull()
      .references(() => readyReplies.id, { onDelete: 'cascade' }),
    sectorId: integer('sector_id')
      .notNull()
      .references(() => sectors.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.replyId, t.sectorId] })],
);

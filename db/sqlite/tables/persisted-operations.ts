import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { accounts } from './accounts.js';

/** Trusted documents an ADMIN registered for the account's consoles, keyed by the sha256 of their text. */
export const persistedOperations = sqliteTable(
  'persisted_operations',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** Lowercase hex sha256 of `document`: what a client sends as extensions.persistedQuery.sha256Hash. */
    hash: text('hash').notNull(),
    document: text('document').notNull(),
    createdByUserId: integer('created_by_user_id').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.hash] })],
);

import { integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

/** Trusted documents an ADMIN registered for the account's consoles, keyed by the sha256 of their text. */
export const persistedOperations = pgTable(
  'persisted_operations',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    /** Lowercase hex sha256 of `document`: what a client sends as extensions.persistedQuery.sha256Hash. */
    hash: text('hash').notNull(),
    document: text('document').notNull(),
    createdByUserId: integer('created_by_user_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.hash] })],
);

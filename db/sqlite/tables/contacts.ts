import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { accounts } from './accounts.js';

export const contacts = sqliteTable(
  'contacts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name'),
    // Digits only, so "+55 (11) 9..." and "5511 9..." are one contact.
    phone: text('phone'),
    email: text('email'),
    city: text('city'),
    document: text('document'),
    externalId: text('external_id'),
    notes: text('notes'),
    lastInteractionAt: integer('last_interaction_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    erasedAt: integer('erased_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('contacts_account_phone').on(t.accountId, t.phone),
    // The contact list's order (newest interaction first, never-interacted last): walked, never sorted.
    index('contacts_account_recency').on(t.accountId, sql`coalesce(${t.lastInteractionAt}, 0)`, t.id),
  ],
);

export const contactTags = sqliteTable(
  'contact_tags',
  {
    contactId: integer('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.tag] })],
);

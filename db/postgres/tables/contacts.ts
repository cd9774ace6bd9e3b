import { sql } from 'drizzle-orm';
import { index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

export const contacts = pgTable(
  'contacts',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
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
    lastInteractionAt: timestamp('last_interaction_at', { withTimezone: true, mode: 'date', precision: 3 }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    erasedAt: timestamp('erased_at', { withTimezone: true, mode: 'date', precision: 3 }),
  },
  (t) => [
    uniqueIndex('contacts_account_phone').on(t.accountId, t.phone),
    // The contact list's order (newest interaction first, never-interacted last): walked, never sorted.
    index('contacts_account_recency').on(t.accountId, sql`coalesce(${t.lastInteractionAt}, 'epoch'::timestamptz)`, t.id),
  ],
);

export const contactTags = pgTable(
  'contact_tags',
  {
    contactId: integer('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    tag: text('tag').notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.tag] })],
);

import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const accounts = sqliteTable('accounts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull().default('UTC'),
  // The language of automatic texts (en, pt-BR, es) where a channel sets none.
  locale: text('locale').notNull().default('en'),
  // The last protocol number handed out: tickets are numbered 1, 2, 3... per account.
  ticketSequence: integer('ticket_sequence').notNull().default(0),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

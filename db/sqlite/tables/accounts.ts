import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const accounts = sqliteTable('accounts', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull().default('UTC'),
  // BCP 47 tag, e.g. pt-BR: the language consoles and automatic texts default to where a channel sets none.
  locale: text('locale').notNull().default('en-US'),
  // The last protocol number handed out: tickets are numbered 1, 2, 3... per account.
  ticketSequence: integer('ticket_sequence').notNull().default(0),
  // Set while the platform has the account suspended: its tokens stop, its data stays.
  suspendedAt: integer('suspended_at', { mode: 'timestamp_ms' }),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * A job that must run on one instance at a time (the outbox relay): who holds it and until when.
 * The holder renews it well before `expires_at`; once that passes, another instance may take it.
 */
export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  /** When the current holder took it (renewals keep it). */
  takenAt: integer('taken_at', { mode: 'timestamp_ms' }).notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
});

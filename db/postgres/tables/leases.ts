import { pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * A job that must run on one instance at a time (the outbox relay): who holds it and until when.
 * The holder renews it well before `expires_at`; once that passes, another instance may take it.
 */
export const leases = pgTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  /** When the current holder took it (renewals keep it). */
  takenAt: timestamp('taken_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
});

import { index, integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { tickets } from './tickets.js';

/** A contact's rating of a closed ticket, given once. */
export const ticketRatings = pgTable(
  'ticket_ratings',
  {
    ticketId: integer('ticket_id')
      .primaryKey()
      .references(() => tickets.id),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    agentId: integer('agent_id'),
    sectorId: integer('sector_id'),
    channelId: integer('channel_id').notNull(),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    ratedAt: timestamp('rated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [index('ticket_ratings_account_time').on(t.accountId, t.ratedAt), index('ticket_ratings_agent_time').on(t.agentId, t.ratedAt)],
);

import { bigint, index, integer, pgTable, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';
import { tickets } from './tickets.js';

/** One delay per agent answer: from the contact's first unanswered message to the agent's reply. */
export const agentResponses = pgTable(
  'agent_responses',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    sectorId: integer('sector_id'),
    channelId: integer('channel_id').notNull(),
    agentId: integer('agent_id').notNull(),
    respondedAt: timestamp('responded_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    // bigint: a 32-bit integer of milliseconds ends at 24.8 days, and a ticket can wait longer than that.
    delayMs: bigint('delay_ms', { mode: 'number' }).notNull(),
  },
  (t) => [index('agent_responses_account_time').on(t.accountId, t.respondedAt)],
);

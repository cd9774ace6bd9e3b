import { index, integer, sqliteTable } from 'drizzle-orm/sqlite-core';
import { accounts } from './accounts.js';
import { tickets } from './tickets.js';

/** One delay per agent answer: from the contact's first unanswered message to the agent's reply. */
export const agentResponses = sqliteTable(
  'agent_responses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    ticketId: integer('ticket_id')
      .notNull()
      .references(() => tickets.id),
    sectorId: integer('sector_id'),
    channelId: integer('channel_id').notNull(),
    agentId: integer('agent_id').notNull(),
    respondedAt: integer('responded_at', { mode: 'timestamp_ms' }).notNull(),
    delayMs: integer('delay_ms').notNull(),
  },
  (t) => [index('agent_responses_account_time').on(t.accountId, t.respondedAt)],
);

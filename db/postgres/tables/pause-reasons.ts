import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { AgentStatus } from '../../types.js';
import { accounts } from './accounts.js';

/** Why an agent is PAUSED (lunch, training...): defined by the account's ADMINs. */
export const pauseReasons = pgTable(
  'pause_reasons',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [uniqueIndex('pause_reasons_account_name_unique').on(t.accountId, sql`lower(${t.name})`)],
);

/** One row per stretch of time an agent spent in a status: time paused today is summed from it. */
export const agentStatusLog = pgTable(
  'agent_status_log',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    userId: integer('user_id').notNull(),
    status: text('status').$type<AgentStatus>().notNull(),
    pauseReasonId: integer('pause_reason_id'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    /** Null while the agent is still in this status. */
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date', precision: 3 }),
  },
  (t) => [index('agent_status_log_user_open').on(t.userId, t.endedAt), index('agent_status_log_account_status').on(t.accountId, t.status, t.endedAt)],
);

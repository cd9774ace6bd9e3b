import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { AgentStatus } from '../../types.js';
import { accounts } from './accounts.js';

/** Why an agent is PAUSED (lunch, training...): defined by the account's ADMINs. */
export const pauseReasons = sqliteTable(
  'pause_reasons',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [uniqueIndex('pause_reasons_account_name_unique').on(t.accountId, sql`lower(${t.name})`)],
);

/** One row per stretch of time an agent spent in a status: time paused today is summed from it. */
export const agentStatusLog = sqliteTable(
  'agent_status_log',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    userId: integer('user_id').notNull(),
    status: text('status').$type<AgentStatus>().notNull(),
    pauseReasonId: integer('pause_reason_id'),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    /** Null while the agent is still in this status. */
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('agent_status_log_user_open').on(t.userId, t.endedAt), index('agent_status_log_account_status').on(t.accountId, t.status, t.endedAt)],
);

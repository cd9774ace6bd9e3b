import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { RoutingCandidate, RoutingMode } from '../../types.js';
import { accounts } from './accounts.js';
import { tickets } from './tickets.js';

/** The last automatic routing of a ticket: who was considered and why each was passed over. */
export const routingDecisions = sqliteTable('routing_decisions', {
  ticketId: integer('ticket_id')
    .primaryKey()
    .references(() => tickets.id),
  accountId: integer('account_id')
    .notNull()
    .references(() => accounts.id),
  sectorId: integer('sector_id').notNull(),
  mode: text('mode').$type<RoutingMode>().notNull(),
  chosenUserId: integer('chosen_user_id'),
  candidates: text('candidates', { mode: 'json' }).$type<RoutingCandidate[]>().notNull(),
  decidedAt: integer('decided_at', { mode: 'timestamp_ms' }).notNull(),
});

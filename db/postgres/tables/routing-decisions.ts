import { integer, json, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { RoutingCandidate, RoutingMode } from '../../types.js';
import { accounts } from './accounts.js';
import { tickets } from './tickets.js';

/** The last automatic routing of a ticket: who was considered and why each was passed over. */
export const routingDecisions = pgTable('routing_decisions', {
  ticketId: integer('ticket_id')
    .primaryKey()
    .references(() => tickets.id),
  accountId: integer('account_id')
    .notNull()
    .references(() => accounts.id),
  sectorId: integer('sector_id').notNull(),
  mode: text('mode').$type<RoutingMode>().notNull(),
  chosenUserId: integer('chosen_user_id'),
  candidates: json('candidates').$type<RoutingCandidate[]>().notNull(),
  decidedAt: timestamp('decided_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
});

import { and, eq } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { routingDecisions } from '../tables/index.js';
import type { RoutingDecision } from '../../types.js';

export function routingDecisionQueries(db: SqliteDb) {
  return {
    /** Keeps the latest decision per ticket: a ticket tried again replaces the earlier one. */
    async save(decision: RoutingDecision): Promise<void> {
      const { ticketId: _ticketId, ...rest } = decision;
      db.insert(routingDecisions).values(decision).onConflictDoUpdate({ target: routingDecisions.ticketId, set: rest }).run();
    },

    async of(accountId: number, ticketId: number): Promise<RoutingDecision | null> {
      return db.select().from(routingDecisions).where(and(eq(routingDecisions.accountId, accountId), eq(routingDecisions.ticketId, ticketId))).get() ?? null;
    },
  };
}

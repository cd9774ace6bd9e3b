import { and, eq } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { routingDecisions } from '../tables/index.js';
import type { RoutingDecisionQueries } from '../../store.js';
import { sameId } from './ids.js';

export function routingDecisionQueries(db: PgDb): RoutingDecisionQueries {
  return {
    /** Keeps the latest decision per ticket: a ticket tried again replaces the earlier one. */
    async save(decision) {
      const { ticketId: _ticketId, ...rest } = decision;
      await db.insert(routingDecisions).values(decision).onConflictDoUpdate({ target: routingDecisions.ticketId, set: rest });
    },

    async of(accountId, ticketId) {
      const [row] = await db
        .select()
        .from(routingDecisions)
        .where(and(eq(routingDecisions.accountId, accountId), sameId(routingDecisions.ticketId, ticketId)));
      return row ?? null;
    },
  };
}

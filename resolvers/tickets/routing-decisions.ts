import type { RoutingDecision } from '../../db/types.js';
import { assertAdmin } from '../permissions.js';
import type { Services } from '../services.js';
import type { Viewer } from '../viewer.js';

/** How a ticket was last routed, for an ADMIN (the ticket itself was already read through the rule). */
export async function routingDecisionOf(services: Services, viewer: Viewer | null, ticketId: number): Promise<RoutingDecision | null> {
  assertAdmin(viewer);
  return services.store.routingDecisions.of(viewer.accountId, ticketId);
}

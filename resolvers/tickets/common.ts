import type { StoreReads } from '../../db/store.js';
import type { Ticket, TicketScope } from '../../db/types.js';
import { NotFoundError } from '../errors.js';
import type { Actor, TicketPlacement } from '../events.js';
import type { Viewer } from '../viewer.js';

/** Missing and invisible look the same: every lookup goes through the scope, then one NOT_FOUND. */
export async function visibleTicketOrThrow(reads: StoreReads, scope: TicketScope, ticketId: number): Promise<Ticket> {
  const ticket = await reads.tickets.byIdInScope(scope, ticketId);
  if (!ticket) throw new NotFoundError('Ticket');
  return ticket;
}

export function placementOf(ticket: Ticket): TicketPlacement {
  return { status: ticket.status, sectorId: ticket.sectorId, assigneeId: ticket.assigneeId, channelId: ticket.channelId };
}

export function actorOf(viewer: Viewer): Actor {
  return viewer.kind === 'user' ? { kind: 'USER', id: viewer.userId } : { kind: 'INTEGRATION', id: viewer.integrationId };
}

import type { Ticket, TicketStatus } from '../../db/types.js';
import type { DomainEvent, TicketPlacement } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { canSeeTicket, ticketEventKindFor, type TicketEventKind } from '../visibility.js';
import { LiveViewer, untilExpired } from './live-viewer.js';

export interface TicketEventPayload {
  kind: TicketEventKind;
  status: TicketStatus;
  ticketId: number;
  /** The ticket as it is now; null on REMOVED when I may no longer see it (nothing leaks). */
  ticket: Ticket | null;
}

/** Before and after of a ticket event; null when the event is not about a ticket. */
export function placementsOf(event: DomainEvent): { ticketId: number; before: TicketPlacement | null; after: TicketPlacement } | null {
  switch (event.type) {
    case 'ticket.created':
      return { ticketId: event.payload.ticketId, before: null, after: event.payload.after };
    case 'ticket.statusChanged':
    case 'ticket.transferred':
      return { ticketId: event.payload.ticketId, before: event.payload.before, after: event.payload.after };
    case 'ticket.tagged':
      return { ticketId: event.payload.ticketId, before: event.payload.placement, after: event.payload.placement };
    case 'message.created':
      return { ticketId: event.payload.ticketId, before: event.payload.placement, after: event.payload.placement };
    default:
      return null;
  }
}

// One read per event, shared by every local subscriber it concerns; each one's visibility is decided
// in memory from the event, so the shared row never reaches a subscriber who may not see it.
const ticketOfEvent = new WeakMap<DomainEvent, Promise<Ticket | null>>();

function currentTicket(services: Services, event: DomainEvent, ticketId: number): Promise<Ticket | null> {
  let row = ticketOfEvent.get(event);
  if (!row) {
    row = services.store.tickets.byIdInScope({ kind: 'account', accountId: event.accountId, userId: null }, ticketId);
    ticketOfEvent.set(event, row);
  }
  return row;
}

export interface TicketEventsOptions {
  status: TicketStatus | null;
  /** OPEN without all: only tickets assigned to me, as the OPEN tab. */
  all: boolean;
  onViewerChange?: (viewer: UserViewer) => void;
}

/** The account's event stream as this subscriber's tab sees it: ADDED, UPDATED, REMOVED, nothing else. */
export async function* ticketEventsFor(
  services: Services,
  viewer: UserViewer,
  options: TicketEventsOptions,
  events: AsyncIterable<DomainEvent>,
): AsyncGenerator<TicketEventPayload> {
  const live = new LiveViewer(services, viewer, options.onViewerChange);
  const tab = { status: options.status, assignedOnly: options.status === 'OPEN' && !options.all };
  for await (const event of untilExpired(events, viewer.expiresAt, services.clock)) {
    if (event.accountId !== viewer.accountId) continue;
    if ((await live.follow(event)) === 'ended') return;
    const placed = placementsOf(event);
    if (!placed) continue;
    const kind = ticketEventKindFor(live.scope, tab, placed.before, placed.after);
    if (!kind) continue;
    const visibleNow = canSeeTicket(live.scope, { accountId: event.accountId, sectorId: placed.after.sectorId, assigneeId: placed.after.assigneeId });
    yield {
      kind,
      status: placed.after.status,
      ticketId: placed.ticketId,
      ticket: visibleNow ? await currentTicket(services, event, placed.ticketId) : null,
    };
  }
}

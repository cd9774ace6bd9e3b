import type { Ticket, TicketStatus } from '../../db/types.js';
import type { DomainEvent, TicketPlacement } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { canSeeTicket, systemScope, ticketEventKindFor, type TicketEventKind } from '../visibility.js';
import { endingWith, type LiveFanOut } from './fan-out.js';
import { listenNow, LiveViewer, untilExpired } from './live-viewer.js';
import { commitsResumed, lastEventIdOf, resumePointOf } from './resume.js';

export interface TicketEventPayload {
  kind: TicketEventKind;
  status: TicketStatus;
  ticketId: number;
  /** The outbox id of the commit's last event: where a resumed subscription picks up. */
  eventId: number;
  /** The ticket as it is now; null on REMOVED when I may no longer see it (nothing leaks). */
  ticket: Ticket | null;
}

export interface TicketChange {
  ticketId: number;
  before: TicketPlacement | null;
  after: TicketPlacement;
}

/** Before and after of a ticket event; null when the event is not about a ticket. */
export function placementsOf(event: DomainEvent): TicketChange | null {
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

/** The net change of each ticket in one transaction: from its first "before" to its last "after". */
export function ticketChangesOf(commit: readonly DomainEvent[]): TicketChange[] {
  const byTicket = new Map<number, TicketChange>();
  for (const event of commit) {
    const change = placementsOf(event);
    if (!change) continue;
    const earlier = byTicket.get(change.ticketId);
    byTicket.set(change.ticketId, earlier ? { ...earlier, after: change.after } : change);
  }
  return [...byTicket.values()];
}

// One read per commit and ticket, shared by every local subscriber it concerns; each one's visibility
// is decided in memory from the events, so the shared row never reaches a subscriber who may not see it.
const ticketsOfCommit = new WeakMap<readonly DomainEvent[], Map<number, Promise<Ticket | null>>>();

function currentTicket(services: Services, commit: readonly DomainEvent[], accountId: number, ticketId: number): Promise<Ticket | null> {
  let rows = ticketsOfCommit.get(commit);
  if (!rows) ticketsOfCommit.set(commit, (rows = new Map()));
  let row = rows.get(ticketId);
  if (!row) {
    row = services.store.tickets.byIdInScope(systemScope(accountId), ticketId);
    rows.set(ticketId, row);
  }
  return row;
}

export interface TicketEventsOptions {
  status: TicketStatus | null;
  /** OPEN without all: only tickets assigned to me, as the OPEN tab. */
  all: boolean;
  /** A cursor of an earlier event: replay what I missed since, then go on live. */
  after?: string | null;
  onViewerChange?: (viewer: UserViewer) => void;
}

/** The account's commits as this subscriber's tab sees them: ADDED, UPDATED, REMOVED, nothing else. */
export function ticketEventsFor(services: Services, viewer: UserViewer, options: TicketEventsOptions, fanOut: LiveFanOut): AsyncGenerator<TicketEventPayload> {
  const live = new LiveViewer(services, viewer, options.onViewerChange);
  // Handed only the commits that may place a ticket where my scope sees it, or change me.
  const commits = fanOut.commitsFor(viewer.accountId, { stream: 'ticketEvents', keys: () => live.reach, viewerId: viewer.userId });
  return endingWith(judgedTicketEvents(services, live, options, commits), commits);
}

async function* judgedTicketEvents(
  services: Services,
  live: LiveViewer,
  options: TicketEventsOptions,
  commits: AsyncIterable<DomainEvent[]>,
): AsyncGenerator<TicketEventPayload> {
  const viewer = live.viewer;
  const resumeAfter = await resumePointOf(services, options.after);
  const tab = { status: options.status, assignedOnly: options.status === 'OPEN' && !options.all };
  // Replayed events go through the same judgement as live ones, with my sectors as they are now.
  for await (const commit of commitsResumed(services, viewer.accountId, resumeAfter, listenNow(untilExpired(commits, viewer.expiresAt, services.clock)))) {
    for (const event of commit) if ((await live.follow(event)) === 'ended') return;
    for (const change of ticketChangesOf(commit)) {
      const kind = ticketEventKindFor(live.scope, tab, change.before, change.after);
      if (!kind) continue;
      // The row is read later than the event: it may have moved on, so it is judged again as it is now.
      const current = await currentTicket(services, commit, viewer.accountId, change.ticketId);
      yield {
        kind,
        status: change.after.status,
        ticketId: change.ticketId,
        eventId: lastEventIdOf(commit),
        ticket: current && canSeeTicket(live.scope, current) ? current : null,
      };
    }
  }
}

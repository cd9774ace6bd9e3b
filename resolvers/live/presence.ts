import { Repeater, SlidingBuffer } from 'graphql-yoga';
import type { Ticket } from '../../db/types.js';
import { NotFoundError } from '../errors.js';
import { assertAgent } from '../permissions.js';
import type { Services } from '../services.js';
import { visibleTicketOrThrow } from '../tickets/common.js';
import type { UserViewer, Viewer } from '../viewer.js';
import { canSeeTicket, ticketScopeOf } from '../visibility.js';
import type { LiveFanOut } from './fan-out.js';
import { listenNow, LiveViewer, untilExpired } from './live-viewer.js';
import type { PresenceBoard, PresenceEntry, PresenceSignal, PresenceState } from './presence-board.js';
import { placementsOf } from './ticket-events.js';

/** What presence needs from the pub/sub: the lease length and a way to publish a signal to every instance. */
export interface PresenceChannel {
  board: PresenceBoard;
  publish(signal: PresenceSignal): void;
}

/**
 * I am VIEWING or TYPING on a ticket I may see (NOT_FOUND otherwise, like a missing one), for one
 * lease; nothing is stored: the signal goes out on the pub/sub and every instance's board takes it.
 */
export async function setTicketPresence(services: Services, viewer: Viewer | null, ticketId: number, state: PresenceState, channel: PresenceChannel): Promise<boolean> {
  assertAgent(viewer);
  await visibleTicketOrThrow(services.store, ticketScopeOf(viewer), ticketId);
  channel.publish({ accountId: viewer.accountId, ticketId, userId: viewer.userId, state, expiresAt: Date.now() + channel.board.leaseMs });
  return true;
}

/**
 * Who else is on a ticket I may see: the list now, then the whole list again after each change
 * (arrival, state change, lease expiry). Each push is judged by the one rule on the ticket's latest
 * placement and my latest sectors; the subscription ends once I may no longer see the ticket. A slow
 * reader gets only the latest list.
 */
export async function ticketPresenceFor(
  services: Services,
  viewer: UserViewer,
  ticketId: number,
  board: PresenceBoard,
  fanOut: LiveFanOut,
  onViewerChange?: (viewer: UserViewer) => void,
): Promise<AsyncIterable<PresenceEntry[]>> {
  const live = new LiveViewer(services, viewer, onViewerChange);
  // Only commits of this ticket, or changing me, can take it out of my sight.
  const keys = [`ticket:${ticketId}`];
  const listening = listenNow(fanOut.commitsFor(viewer.accountId, { stream: 'ticketPresence', keys: () => keys, viewerId: viewer.userId }));
  const ticket = await services.store.tickets.byIdInScope(live.scope, ticketId);
  if (!ticket) {
    await listening[Symbol.asyncIterator]().return?.();
    throw new NotFoundError('Ticket');
  }
  let placement: Pick<Ticket, 'accountId' | 'status' | 'sectorId' | 'assigneeId'> = ticket;
  return new Repeater<PresenceEntry[]>(async (push, stop) => {
    const send = () => {
      if (!canSeeTicket(live.scope, placement)) return void stop();
      void push(board.entriesOf(viewer.accountId, ticketId).filter((entry) => entry.userId !== viewer.userId));
    };
    const unwatch = board.watch(viewer.accountId, ticketId, send);
    send();
    const commitsUntilExpiry = untilExpired(listening, viewer.expiresAt, services.clock);
    const following = (async () => {
      for await (const commit of commitsUntilExpiry) {
        for (const event of commit) {
          const viewerState = await live.follow(event);
          if (viewerState === 'ended') return;
          const placed = placementsOf(event);
          if (placed?.ticketId === ticketId) placement = { accountId: event.accountId, status: placed.after.status, sectorId: placed.after.sectorId, assigneeId: placed.after.assigneeId };
          if ((viewerState === 'changed' || placed?.ticketId === ticketId) && !canSeeTicket(live.scope, placement)) return;
        }
      }
    })();
    await Promise.race([stop, following.catch(() => undefined)]);
    stop();
    unwatch();
    await commitsUntilExpiry.return?.();
  }, new SlidingBuffer(1));
}

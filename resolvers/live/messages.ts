import type { Message } from '../../db/types.js';
import { NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { canSeeTicket } from '../visibility.js';
import { listenNow, LiveViewer, untilExpired } from './live-viewer.js';
import { placementsOf } from './ticket-events.js';

/** New messages of one ticket I can see; ends as soon as I lose sight of it. */
export async function* messagesAddedFor(
  services: Services,
  viewer: UserViewer,
  ticketId: number,
  commits: AsyncIterable<DomainEvent[]>,
  onViewerChange?: (viewer: UserViewer) => void,
): AsyncGenerator<Message> {
  const live = new LiveViewer(services, viewer, onViewerChange);
  const listening = listenNow(commits);
  if (!(await services.store.tickets.byIdInScope(live.scope, ticketId))) {
    await listening[Symbol.asyncIterator]().return?.();
    throw new NotFoundError('Ticket');
  }
  for await (const commit of untilExpired(listening, viewer.expiresAt, services.clock)) {
    for (const event of commit) {
      const viewerState = await live.follow(event);
      if (viewerState === 'ended') return;
      // My sectors or role changed: do I still see the ticket?
      if (viewerState === 'changed' && !(await services.store.tickets.byIdInScope(live.scope, ticketId))) return;
      const placed = placementsOf(event);
      if (placed?.ticketId !== ticketId) continue;
      if (!canSeeTicket(live.scope, { accountId: event.accountId, ...placed.after })) return;
      if (event.type !== 'message.created') continue;
      const [message] = await services.store.messages.byIds(event.accountId, [event.payload.messageId]);
      if (message) yield message;
    }
  }
}

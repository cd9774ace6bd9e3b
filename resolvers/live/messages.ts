import type { Message } from '../../db/types.js';
import { NotFoundError } from '../errors.js';
import type { DomainEvent } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { canSeeTicket } from '../visibility.js';
import { endingWith, type LiveFanOut } from './fan-out.js';
import { listenNow, LiveViewer, untilExpired } from './live-viewer.js';
import { commitsResumed, resumePointOf } from './resume.js';
import { placementsOf } from './ticket-events.js';

/** A message as the stream delivered it, with the outbox id of its event (its resume cursor). */
export interface StreamedMessage {
  message: Message;
  eventId: number;
}

/** New messages of one ticket I can see (after `after`'s event first, when given); ends as soon as I lose sight of it. */
export function messagesAddedFor(
  services: Services,
  viewer: UserViewer,
  ticketId: number,
  fanOut: LiveFanOut,
  onViewerChange?: (viewer: UserViewer) => void,
  after?: string | null,
): AsyncGenerator<StreamedMessage> {
  const live = new LiveViewer(services, viewer, onViewerChange);
  // Only commits of this ticket, or changing me, can add a message or take the ticket out of my sight.
  const keys = [`ticket:${ticketId}`];
  const commits = fanOut.commitsFor(viewer.accountId, { stream: 'messageAdded', keys: () => keys, viewerId: viewer.userId });
  return endingWith(messagesOf(services, live, ticketId, commits, after), commits);
}

async function* messagesOf(services: Services, live: LiveViewer, ticketId: number, commits: AsyncIterable<DomainEvent[]>, after?: string | null): AsyncGenerator<StreamedMessage> {
  const viewer = live.viewer;
  const resumeAfter = await resumePointOf(services, after);
  const listening = listenNow(untilExpired(commits, viewer.expiresAt, services.clock));
  if (!(await services.store.tickets.byIdInScope(live.scope, ticketId))) {
    await listening[Symbol.asyncIterator]().return?.();
    throw new NotFoundError('Ticket');
  }
  // Replayed history may place the ticket where I could not see it then: I see it now, so only live events end the stream.
  const historyEnd = resumeAfter === undefined ? 0 : await services.store.outbox.lastEventId();
  for await (const commit of commitsResumed(services, viewer.accountId, resumeAfter, listening)) {
    for (const event of commit) {
      const viewerState = await live.follow(event);
      if (viewerState === 'ended') return;
      // My sectors or role changed: do I still see the ticket?
      if (viewerState === 'changed' && !(await services.store.tickets.byIdInScope(live.scope, ticketId))) return;
      const placed = placementsOf(event);
      if (placed?.ticketId !== ticketId) continue;
      if (!canSeeTicket(live.scope, { accountId: event.accountId, ...placed.after })) {
        if (event.id > historyEnd) return;
        continue;
      }
      if (event.type !== 'message.created') continue;
      const [message] = await services.store.messages.byIds(event.accountId, [event.payload.messageId]);
      if (message) yield { message, eventId: event.id };
    }
  }
}

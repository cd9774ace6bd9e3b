import type { TicketCounts } from '../../db/types.js';
import type { DomainEvent } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { LiveViewer, untilExpired } from './live-viewer.js';
import { placementsOf } from './ticket-events.js';

const sameCounts = (a: TicketCounts | null, b: TicketCounts) => a !== null && a.waiting === b.waiting && a.open === b.open && a.closed === b.closed;

/**
 * My three counts: the current value first, then again whenever a ticket event may have changed
 * them, at most once per `intervalMs` however bursty the stream (trailing edge, so the last is exact).
 */
export async function* ticketCountsFor(
  services: Services,
  viewer: UserViewer,
  commits: AsyncIterable<DomainEvent[]>,
  intervalMs = 250,
  onViewerChange?: (viewer: UserViewer) => void,
): AsyncGenerator<TicketCounts> {
  const live = new LiveViewer(services, viewer, onViewerChange);
  let last: TicketCounts | null = null;
  const read = () => services.store.tickets.tabCounts(live.scope);
  const first = await read();
  last = first;
  yield first;
  let lastSentAt = services.clock.now().getTime();
  for await (const commit of untilExpired(commits, viewer.expiresAt, services.clock)) {
    let viewerChanged = false;
    for (const event of commit) {
      const viewerState = await live.follow(event);
      if (viewerState === 'ended') return;
      viewerChanged ||= viewerState === 'changed';
    }
    if (!viewerChanged && !commit.some((event) => placementsOf(event))) continue;
    const wait = lastSentAt + intervalMs - services.clock.now().getTime();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const counts = await read();
    lastSentAt = services.clock.now().getTime();
    if (sameCounts(last, counts)) continue;
    last = counts;
    yield counts;
  }
}

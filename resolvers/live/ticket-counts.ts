import type { TicketCounts } from '../../db/types.js';
import type { DomainEvent } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { coalesced } from './coalesce.js';
import { queueSizesOf, type SectorWaiting } from '../sectors.js';
import { canSeeTicket } from '../visibility.js';
import { endingWith, type LiveFanOut } from './fan-out.js';
import { LiveViewer, untilExpired } from './live-viewer.js';
import { placementsOf } from './ticket-events.js';

/** The three tab counts and the queue of each sector I watch (Sector.waitingCount, live). */
export interface LiveTicketCounts extends TicketCounts {
  bySector: SectorWaiting[];
}

const sameCounts = (a: LiveTicketCounts | null, b: LiveTicketCounts) =>
  a !== null && a.waiting === b.waiting && a.open === b.open && a.closed === b.closed && JSON.stringify(a.bySector) === JSON.stringify(b.bySector);

/** My counts: now, then whenever a commit may have changed them, at most once per `intervalMs`. */
export function ticketCountsFor(
  services: Services,
  viewer: UserViewer,
  fanOut: LiveFanOut,
  intervalMs = 250,
  onViewerChange?: (viewer: UserViewer) => void,
): AsyncGenerator<LiveTicketCounts> {
  const live = new LiveViewer(services, viewer, onViewerChange);
  // Counts move only with tickets my scope may see (the same keys as my tabs), or with a change of me.
  const commits = fanOut.commitsFor(viewer.accountId, { stream: 'ticketCountsChanged', keys: () => live.reach, viewerId: viewer.userId });
  return endingWith(countsOf(services, live, commits, intervalMs), commits);
}

async function* countsOf(services: Services, live: LiveViewer, commits: AsyncIterable<DomainEvent[]>, intervalMs: number): AsyncGenerator<LiveTicketCounts> {
  const viewer = live.viewer;
  // Only a ticket I see before or after the change can move my counts: the others cost no read.
  const movesMyCounts = (event: DomainEvent) => {
    const change = placementsOf(event);
    if (!change) return false;
    const seen = (placement: typeof change.after | null) => placement !== null && canSeeTicket(live.scope, { accountId: event.accountId, ...placement });
    return seen(change.before) || seen(change.after);
  };
  let last: LiveTicketCounts | null = null;
  const judge = async (commit: DomainEvent[]) => {
    let changed = false;
    for (const event of commit) {
      const state = await live.follow(event);
      if (state === 'ended') return 'end' as const;
      changed ||= state === 'changed';
    }
    return changed || commit.some(movesMyCounts) ? ('relevant' as const) : ('skip' as const);
  };
  const read = async (): Promise<LiveTicketCounts> => ({ ...(await services.store.tickets.tabCounts(live.scope)), bySector: await queueSizesOf(services, live.viewer) });
  const stream = coalesced(untilExpired(commits, viewer.expiresAt, services.clock), intervalMs, judge, read);
  for await (const counts of stream) {
    if (sameCounts(last, counts)) continue;
    last = counts;
    yield counts;
  }
}

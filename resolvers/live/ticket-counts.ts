import type { TicketCounts } from '../../db/types.js';
import type { DomainEvent } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { coalesced } from './coalesce.js';
import { canSeeTicket } from '../visibility.js';
import { LiveViewer, untilExpired } from './live-viewer.js';
import { placementsOf } from './ticket-events.js';

const sameCounts = (a: TicketCounts | null, b: TicketCounts) => a !== null && a.waiting === b.waiting && a.open === b.open && a.closed === b.closed;

/** My three counts: now, then whenever a commit may have changed them, at most once per `intervalMs`. */
export async function* ticketCountsFor(
  services: Services,
  viewer: UserViewer,
  commits: AsyncIterable<DomainEvent[]>,
  intervalMs = 250,
  onViewerChange?: (viewer: UserViewer) => void,
): AsyncGenerator<TicketCounts> {
  const live = new LiveViewer(services, viewer, onViewerChange);
  // Only a ticket I see before or after the change can move my counts: the others cost no read.
  const movesMyCounts = (event: DomainEvent) => {
    const change = placementsOf(event);
    if (!change) return false;
    const seen = (placement: typeof change.after | null) => placement !== null && canSeeTicket(live.scope, { accountId: event.accountId, ...placement });
    return seen(change.before) || seen(change.after);
  };
  let last: TicketCounts | null = null;
  const judge = async (commit: DomainEvent[]) => {
    let changed = false;
    for (const event of commit) {
      const state = await live.follow(event);
      if (state === 'ended') return 'end' as const;
      changed ||= state === 'changed';
    }
    return changed || commit.some(movesMyCounts) ? ('relevant' as const) : ('skip' as const);
  };
  const stream = coalesced(untilExpired(commits, viewer.expiresAt, services.clock), intervalMs, judge, () => services.store.tickets.tabCounts(live.scope));
  for await (const counts of stream) {
    if (sameCounts(last, counts)) continue;
    last = counts;
    yield counts;
  }
}

import type { DomainEvent } from '../events.js';
import { monitoringPanel, type MonitoringPanel } from '../monitoring.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { coalesced } from './coalesce.js';
import { untilExpired } from './live-viewer.js';

const movesAFigure = (event: DomainEvent) =>
  event.type.startsWith('ticket.') || event.type === 'message.created' || event.type === 'user.statusChanged' || event.type === 'membership.changed';

/** The panel now, then after commits that may move a figure, at most once per second (trailing). */
export function monitoringFor(
  services: Services,
  viewer: UserViewer,
  scope: MonitoringPanel['scope'],
  commits: AsyncIterable<DomainEvent[]>,
  intervalMs = 1000,
): AsyncGenerator<MonitoringPanel> {
  const judge = async (commit: DomainEvent[]) => (commit.some(movesAFigure) ? ('relevant' as const) : ('skip' as const));
  return coalesced(untilExpired(commits, viewer.expiresAt, services.clock), intervalMs, judge, () => monitoringPanel(services, scope));
}

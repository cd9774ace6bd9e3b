import type { Notification } from '../../db/types.js';
import type { DomainEvent } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { endingWith, type LiveFanOut } from './fan-out.js';
import { LiveViewer, untilExpired } from './live-viewer.js';

/** My new notifications as they are committed; ends when my token expires or I am deactivated. */
export function notificationsAddedFor(services: Services, viewer: UserViewer, fanOut: LiveFanOut, onViewerChange?: (viewer: UserViewer) => void): AsyncGenerator<Notification> {
  const live = new LiveViewer(services, viewer, onViewerChange);
  const keys = [`user:${viewer.userId}`];
  const commits = fanOut.commitsFor(viewer.accountId, { stream: 'notificationAdded', keys: () => keys, viewerId: viewer.userId });
  return endingWith(notificationsOf(services, live, commits), commits);
}

async function* notificationsOf(services: Services, live: LiveViewer, commits: AsyncIterable<DomainEvent[]>): AsyncGenerator<Notification> {
  const viewer = live.viewer;
  for await (const commit of untilExpired(commits, viewer.expiresAt, services.clock)) {
    for (const event of commit) {
      if ((await live.follow(event)) === 'ended') return;
      if (event.type !== 'notification.created' || event.payload.userId !== viewer.userId) continue;
      const [notification] = await services.store.notifications.byIds(viewer.accountId, [event.payload.notificationId]);
      if (notification) yield notification;
    }
  }
}

import type { Notification } from '../../db/types.js';
import type { DomainEvent } from '../events.js';
import type { Services } from '../services.js';
import type { UserViewer } from '../viewer.js';
import { LiveViewer, untilExpired } from './live-viewer.js';

/** My new notifications as they are committed; ends when my token expires or I am deactivated. */
export async function* notificationsAddedFor(
  services: Services,
  viewer: UserViewer,
  commits: AsyncIterable<DomainEvent[]>,
  onViewerChange?: (viewer: UserViewer) => void,
): AsyncGenerator<Notification> {
  const live = new LiveViewer(services, viewer, onViewerChange);
  for await (const commit of untilExpired(commits, viewer.expiresAt, services.clock)) {
    for (const event of commit) {
      if ((await live.follow(event)) === 'ended') return;
      if (event.type !== 'notification.created' || event.payload.userId !== viewer.userId) continue;
      const [notification] = await services.store.notifications.byIds(viewer.accountId, [event.payload.notificationId]);
      if (notification) yield notification;
    }
  }
}

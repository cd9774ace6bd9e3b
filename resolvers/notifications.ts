import type { StoreTx } from '../db/store.js';
import type { Message, Notification, Ticket } from '../db/types.js';
import { connectionOf, encodeCursor, idWindowOf, type Connection, type PageArgs } from './connections.js';
import { BadUserInputError } from './errors.js';
import { recordEvent } from './events.js';
import { assertAgent } from './permissions.js';
import type { Services } from './services.js';
import type { UserViewer, Viewer } from './viewer.js';
import { canSeeTicket, scopeOfUser } from './visibility.js';

const maxMentions = 50;

/**
 * Mentions in a note, inside the note's transaction: every mentioned agent must be an active user
 * who may see the ticket (the one rule), else BAD_USER_INPUT and the note is rolled back with it.
 * Mentioning myself notifies nobody.
 */
export async function notifyMentioned(tx: StoreTx, viewer: UserViewer, ticket: Ticket, note: Message, mentionedUserIds: readonly number[], at: Date): Promise<void> {
  const ids = [...new Set(mentionedUserIds)].filter((id) => id !== viewer.userId);
  if (ids.length === 0) return;
  if (ids.length > maxMentions) throw new BadUserInputError('mentionedUserIds', `At most ${maxMentions} mentions`);
  const users = (await tx.users.byIds(viewer.accountId, ids)).filter((user) => user.active);
  const sectorIds = await tx.users.sectorIdsOfUsers(users.map((user) => user.id));
  const allowed = users.filter((user) => canSeeTicket(scopeOfUser({ ...user, sectorIds: sectorIds.get(user.id) ?? [] }), ticket));
  // Unknown and not allowed answer alike, so ids of other accounts cannot be probed.
  if (allowed.length !== ids.length) throw new BadUserInputError('mentionedUserIds', 'Mention only colleagues who may see this ticket');
  const stored = await tx.notifications.insert(
    allowed.map((user) => ({ accountId: viewer.accountId, userId: user.id, kind: 'MENTION' as const, ticketId: ticket.id, messageId: note.id, byUserId: viewer.userId, createdAt: at })),
  );
  for (const notification of stored) {
    await recordEvent(tx, at, viewer.accountId, 'notification.created', { notificationId: notification.id, userId: notification.userId, ticketId: ticket.id });
  }
}

/** My notifications, newest first; `unreadOnly` leaves out the ones I marked read. */
export async function notificationsOf(services: Services, viewer: Viewer | null, args: PageArgs & { unreadOnly?: boolean | null }): Promise<Connection<Notification>> {
  assertAgent(viewer);
  // 0 is allowed here: a console asks `first: 0` for totalCount alone (the unread badge).
  const window = idWindowOf(args, 0);
  const unreadOnly = args.unreadOnly ?? false;
  const page = await services.store.notifications.pageOf(viewer.accountId, viewer.userId, unreadOnly, window.size, window.cursor, window.direction);
  return connectionOf(page.notifications, window, page.hasMore, (notification) => encodeCursor(notification.id), () =>
    services.store.notifications.countOf(viewer.accountId, viewer.userId, unreadOnly),
  );
}

export async function notificationsByIds(services: Services, viewer: Viewer, ids: readonly number[]): Promise<Notification[]> {
  if (viewer.kind !== 'user') return [];
  return (await services.store.notifications.byIds(viewer.accountId, ids)).filter((notification) => notification.userId === viewer.userId);
}

/** Marks my unread notifications among `ids` read; anyone else's and those already read are left alone and not counted. */
export async function markNotificationsRead(services: Services, viewer: Viewer | null, ids: readonly number[]): Promise<number> {
  assertAgent(viewer);
  if (ids.length > 500) throw new BadUserInputError('ids', 'At most 500 ids');
  const at = services.clock.now();
  return services.store.write((tx) => tx.notifications.markRead(viewer.accountId, viewer.userId, ids, at));
}

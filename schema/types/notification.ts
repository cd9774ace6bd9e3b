import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import type { Notification as NotificationRow } from '../../db/types.js';
import { notificationsAddedFor } from '../../resolvers/live/notifications.js';
import { markNotificationsRead, notificationsByIds, notificationsOf } from '../../resolvers/notifications.js';
import type { UserViewer } from '../../resolvers/viewer.js';
import { builder } from '../builder.js';
import { pageArgsOf, pageFieldsOf, type PageShape } from '../connections.js';
import type { AgentContext } from '../context.js';
import { localIdsOf } from '../ids.js';
import { Message } from './message.js';
import { Ticket } from './ticket.js';
import { User } from './user.js';

const NotificationKind = builder.enumType('NotificationKind', {
  values: { MENTION: { description: 'Someone mentioned me in an internal note' } } as const,
});

export const Notification = builder.loadableNode('Notification', {
  description: 'Something for me to look at; only its recipient ever sees it',
  id: { resolve: (notification: NotificationRow) => notification.id },
  load: (ids: string[], context) => (context.viewer ? notificationsByIds(context.services, context.viewer, ids.map(Number)) : Promise.resolve([])),
  sort: (notification) => String(notification.id),
  fields: (t) => ({
    kind: t.expose('kind', { type: NotificationKind }),
    ticket: t.field({ type: Ticket, nullable: true, description: 'Null once I may no longer see the ticket', resolve: (n) => String(n.ticketId) }),
    message: t.field({ type: Message, nullable: true, description: 'The note that mentioned me', resolve: (n) => (n.messageId === null ? null : String(n.messageId)) }),
    by: t.field({ type: User, nullable: true, resolve: (n) => (n.byUserId === null ? null : String(n.byUserId)) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    read: t.boolean({ resolve: (n) => n.readAt !== null }),
    readAt: t.expose('readAt', { type: 'DateTime', nullable: true }),
  }),
});

const NotificationEdge = builder.objectRef<{ cursor: string; node: NotificationRow }>('NotificationEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: Notification, resolve: (edge) => edge.node }),
  }),
});

const NotificationConnection = builder
  .objectRef<PageShape & { edges: { cursor: string; node: NotificationRow }[] }>('NotificationConnection')
  .implement({
    description: 'Newest first',
    fields: (t) => ({
      edges: t.field({ type: [NotificationEdge], resolve: (connection) => connection.edges }),
      ...pageFieldsOf(t),
    }),
  });

builder.queryFields((t) => ({
  notifications: t.field({
    type: NotificationConnection,
    description: 'My notifications, newest first (first: 0-100, 20 by default)',
    authScopes: { authenticated: true },
    args: { ...pageArgsOf(t.arg), unreadOnly: t.arg.boolean() },
    resolve: (_root, args, context) => notificationsOf(context.services, context.viewer, args),
  }),
}));

builder.mutationFields((t) => ({
  markNotificationsRead: t.field({
    type: 'Int',
    description: 'Marks my unread notifications among ids read; returns how many changed (ids of others count nothing)',
    authScopes: { authenticated: true },
    args: { ids: t.arg.idList({ required: true }) },
    resolve: (_root, { ids }, context) => markNotificationsRead(context.services, context.viewer, localIdsOf('Notification', ids.map(String), 'ids')),
  }),
}));

const followViewer = (context: AgentContext) => (viewer: UserViewer) => {
  context.viewer = viewer;
};

builder.subscriptionFields((t) => ({
  notificationAdded: t.withAuth({ authenticated: true }).field({
    type: Notification,
    description: 'My new notifications, live',
    subscribe: (_root, _args, context) =>
      notificationsAddedFor(context.services, context.viewer, context.pubsub.live, followViewer(context)),
    resolve: (payload, _args, context) => {
      clearAllDataLoaders(context);
      return payload;
    },
  }),
}));

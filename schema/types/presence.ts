import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import type { PresenceEntry } from '../../resolvers/live/presence-board.js';
import { setTicketPresence, ticketPresenceFor } from '../../resolvers/live/presence.js';
import type { UserViewer } from '../../resolvers/viewer.js';
import { builder } from '../builder.js';
import type { AgentContext } from '../context.js';
import { localIdOf } from '../ids.js';
import { User } from './user.js';

const PresenceState = builder.enumType('PresenceState', {
  values: { VIEWING: { description: 'Has the ticket open' }, TYPING: { description: 'Is writing an answer or a note' } } as const,
});

const TicketPresence = builder.objectRef<PresenceEntry>('TicketPresence').implement({
  description: 'Someone else on the ticket, until their lease runs out',
  fields: (t) => ({
    user: t.field({ type: User, resolve: (entry) => String(entry.userId) }),
    state: t.expose('state', { type: PresenceState }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When the lease ends unless renewed' }),
  }),
});

const followViewer = (context: AgentContext) => (viewer: UserViewer) => {
  context.viewer = viewer;
};

builder.mutationFields((t) => ({
  setTicketPresence: t.field({
    type: 'Boolean',
    description: 'I am VIEWING or TYPING on a ticket I can see, for a lease of a few seconds (10 by default): renew it while it holds',
    authScopes: { authenticated: true },
    args: { ticketId: t.arg.id({ required: true }), state: t.arg({ type: PresenceState, required: true }) },
    resolve: (_root, { ticketId, state }, context) =>
      setTicketPresence(context.services, context.viewer, localIdOf('Ticket', String(ticketId), 'ticketId'), state, context.pubsub.presence),
  }),
}));

builder.subscriptionFields((t) => ({
  ticketPresence: t.withAuth({ authenticated: true }).field({
    type: [TicketPresence],
    description: 'Who else is on a ticket I can see: the list now, then again after each change (a lease taken, changed or run out)',
    args: { ticketId: t.arg.id({ required: true }) },
    subscribe: (_root, { ticketId }, context) =>
      ticketPresenceFor(
        context.services,
        context.viewer,
        localIdOf('Ticket', String(ticketId), 'ticketId'),
        context.pubsub.presence.board,
        context.pubsub.live,
        followViewer(context),
      ),
    resolve: (entries, _args, context) => {
      clearAllDataLoaders(context);
      return entries;
    },
  }),
}));

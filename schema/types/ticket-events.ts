import { clearAllDataLoaders } from '@pothos/plugin-dataloader';
import type { TicketCounts as TicketCountsShape } from '../../db/types.js';
import { messagesAddedFor, type StreamedMessage } from '../../resolvers/live/messages.js';
import { streamCursorOf } from '../../resolvers/live/resume.js';
import { ticketCountsFor } from '../../resolvers/live/ticket-counts.js';
import { ticketEventsFor, type TicketEventPayload } from '../../resolvers/live/ticket-events.js';
import type { UserViewer } from '../../resolvers/viewer.js';
import { builder } from '../builder.js';
import type { AgentContext } from '../context.js';
import { localIdOf } from '../ids.js';
import { Message, streamedMessage } from './message.js';
import { Ticket, TicketCounts, TicketStatus } from './ticket.js';

const TicketEventKind = builder.enumType('TicketEventKind', {
  values: {
    ADDED: { description: 'Entered my tab: new, transferred to my sectors, assigned to me, reopened' },
    UPDATED: { description: 'Changed within my tab: a message, a tag' },
    REMOVED: { description: 'Left my tab: taken by someone else, transferred away, closed' },
  } as const,
});

const TicketEvent = builder.objectRef<TicketEventPayload>('TicketEvent').implement({
  description: 'A ticket change as this subscriber sees it',
  fields: (t) => ({
    kind: t.expose('kind', { type: TicketEventKind }),
    status: t.expose('status', { type: TicketStatus, description: 'The ticket status after the change' }),
    ticketId: t.globalID({ resolve: (event) => ({ type: 'Ticket', id: event.ticketId }) }),
    cursor: t.string({
      description: "Its place in the committed-event order: keep the last one and resubscribe with `after` to get what you missed",
      resolve: (event) => streamCursorOf(event.eventId),
    }),
    ticket: t.field({
      type: Ticket,
      nullable: true,
      description: 'Null on REMOVED when I may no longer see the ticket',
      resolve: (event) => event.ticket,
    }),
  }),
});

// A subscription keeps its context for its whole life: follow the viewer's changes into it, and drop
// the loaders' caches before each event so nested fields are read fresh.
const followViewer = (context: AgentContext) => (viewer: UserViewer) => {
  context.viewer = viewer;
};
function fresh<T>(payload: T, context: object): T {
  clearAllDataLoaders(context);
  return payload;
}

builder.subscriptionType({});
builder.subscriptionFields((t) => ({
  ticketEvents: t.withAuth({ authenticated: true }).field({
    type: TicketEvent,
    description: 'ADDED / UPDATED / REMOVED for my tab of that status (OPEN: assigned to me unless all: true; no status: every ticket I see)',
    args: { status: t.arg({ type: TicketStatus }), all: t.arg.boolean(), after: t.arg.string() },
    subscribe: (_root, args, context) =>
      ticketEventsFor(
        context.services,
        context.viewer,
        { status: args.status ?? null, all: args.all ?? false, after: args.after, onViewerChange: followViewer(context) },
        context.pubsub.live,
      ),
    resolve: (payload, _args, context) => fresh(payload, context),
  }),
  ticketCountsChanged: t.withAuth({ authenticated: true }).field({
    type: TicketCounts,
    description: 'My three counts now, then whenever they change (at most a few per second)',
    subscribe: (_root, _args, context) =>
      ticketCountsFor(context.services, context.viewer, context.pubsub.live, 250, followViewer(context)),
    resolve: (payload: TicketCountsShape) => payload,
  }),
  messageAdded: t.withAuth({ authenticated: true }).field({
    type: Message,
    description: 'New messages (and notes) of a ticket I can see; ends when I lose sight of it',
    args: { ticketId: t.arg.id({ required: true }), after: t.arg.string() },
    subscribe: (_root, { ticketId, after }, context) =>
      messagesAddedFor(
        context.services,
        context.viewer,
        localIdOf('Ticket', String(ticketId), 'ticketId'),
        context.pubsub.live,
        followViewer(context),
        after,
      ),
    resolve: (payload: StreamedMessage, _args, context) => fresh(streamedMessage(payload), context),
  }),
}));

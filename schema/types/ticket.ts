import type { Message as MessageRow, Ticket as TicketRow, TicketCounts as TicketCountsShape, TicketHistoryEntry as HistoryRow } from '../../db/types.js';
import { queueSizesOf, type SectorWaiting } from '../../resolvers/sectors.js';
import { acceptTicket, closeTicket, reopenTicket, takeNextTicket, transferTicket } from '../../resolvers/tickets/lifecycle.js';
import { contactsOfVisibleTickets } from '../../resolvers/contacts.js';
import { setTicketTags } from '../../resolvers/tickets/conversation.js';
import { ingestMessage } from '../../resolvers/tickets/ingest.js';
import {
  historyOfTickets,
  listTickets,
  listTicketsReadingUser,
  messagesOf,
  messagesOfVisibleTickets,
  messagesPrefetchSize,
  tagsOfTickets,
  ticketCounts,
  ticketCountsReadingUser,
  ticketView,
  ticketViewReadingUser,
  ticketsByIds,
  ticketsOfContact,
  type TicketList,
} from '../../resolvers/tickets/queries.js';
import { builder } from '../builder.js';
import { pageArgsOf, pageFieldsOf } from '../connections.js';
import { messagesReadOf, relatedOf, relationLoader, relationOf, rememberMessages, rememberRelations, tagsLoader, tagsRelationOf } from '../page-relations.js';
import { askedMessagesArgs, asksField } from '../selection.js';
import { tabRowReadsOf } from '../tab-row-reads.js';
import { readConfirmingViewer } from '../viewer-confirmation.js';
import { localIdOf, optionalLocalIdOf } from '../ids.js';
import { Channel } from './channel.js';
import { Contact } from './contact.js';
import { Message, MessageConnection } from './message.js';
import { Sector } from './sector.js';
import { User } from './user.js';


export const TicketStatus = builder.enumType('TicketStatus', { values: ['WAITING', 'OPEN', 'CLOSED'] as const });
const ClosedBy = builder.enumType('ClosedBy', { values: ['AGENT', 'ADMIN', 'CONTACT', 'SYSTEM'] as const });
const TicketHistoryKind = builder.enumType('TicketHistoryKind', { values: ['CREATED', 'ACCEPTED', 'TRANSFERRED', 'CLOSED', 'REOPENED', 'TAGGED', 'ERASED'] as const });
const ActorKind = builder.enumType('ActorKind', { values: ['USER', 'INTEGRATION', 'SYSTEM'] as const });

const TicketHistoryEntry = builder.objectRef<HistoryRow>('TicketHistoryEntry').implement({
  description: 'Who did what to the ticket, and when',
  fields: (t) => ({
    kind: t.expose('kind', { type: TicketHistoryKind }),
    actorKind: t.expose('actorKind', { type: ActorKind }),
    actor: t.field({ type: User, nullable: true, resolve: (entry) => (entry.actorKind === 'USER' && entry.actorId ? String(entry.actorId) : null) }),
    details: t.field({ type: 'JSONObject', resolve: (entry) => entry.data }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

// What a page did not read with its tickets; contact and last message come through the ticket, which is
// visible, so their reads skip a second check.
const contactsOfPageTickets = relationLoader((ids, context) => contactsOfVisibleTickets(context.services, context.viewer!, ids));
const lastMessagesOfPageTickets = relationLoader((ids, context) => messagesOfVisibleTickets(context.services, context.viewer!, ids));
const ticketTagsLoader = tagsLoader((ids, context) => tagsOfTickets(context.services, ids));

export const Ticket = builder.loadableNode('Ticket', {
  description: 'A conversation with a contact, from the queue to closing',
  id: { resolve: (ticket: TicketRow) => ticket.id },
  // Every load goes through the visibility scope: an invisible ticket is exactly a missing one.
  load: (ids: string[], context) => (context.viewer ? ticketsByIds(context.services, context.viewer, ids.map(Number)) : Promise.resolve([])),
  sort: (ticket) => String(ticket.id),
  fields: (t) => ({
    protocol: t.exposeInt('protocol', { description: 'Human-readable number, sequential per account' }),
    status: t.expose('status', { type: TicketStatus }),
    // A sector the page read already is returned as is (the loader then skips it); otherwise its id.
    sector: t.field({
      type: Sector,
      nullable: true,
      resolve: (ticket) => (ticket.sectorId ? (relatedOf(ticket, 'sector', ticket.sectorId) ?? String(ticket.sectorId)) : null),
    }),
    assignee: t.field({
      type: User,
      nullable: true,
      resolve: (ticket) => (ticket.assigneeId ? (relatedOf(ticket, 'assignee', ticket.assigneeId) ?? String(ticket.assigneeId)) : null),
    }),
    // Contact and last message come through the ticket, which is visible: their reads skip a second check.
    contact: t.field({
      type: Contact,
      resolve: (ticket, _args, context) => {
        const contact = relationOf(context, ticket, 'contact', ticket.contactId, contactsOfPageTickets);
        return contact instanceof Promise ? contact.then((found) => found ?? Promise.reject(new Error(`Contact ${ticket.contactId} of ticket ${ticket.id} is missing`))) : contact;
      },
    }),
    channel: t.field({ type: Channel, resolve: (ticket) => relatedOf(ticket, 'channel', ticket.channelId) ?? String(ticket.channelId) }),
    lastMessage: t.field({
      type: Message,
      nullable: true,
      resolve: (ticket, _args, context) => {
        if (!ticket.lastMessageId) return null;
        const message = relationOf(context, ticket, 'message', ticket.lastMessageId, lastMessagesOfPageTickets);
        // A message only ever shows as the last one of its own ticket.
        const ownOnly = (found: MessageRow | null) => (found?.ticketId === ticket.id ? found : null);
        return message instanceof Promise ? message.then(ownOnly) : ownOnly(message);
      },
    }),
    messages: t.field({
      type: MessageConnection,
      args: pageArgsOf(t.arg),
      resolve: (ticket, args, context) => messagesOf(context.services, ticket, args, messagesReadOf(context, ticket.id)),
    }),
    tags: t.field({
      type: ['String'],
      resolve: (ticket, _args, context) => tagsRelationOf(context, ticket, 'ticketTags', ticket.id, ticketTagsLoader),
    }),
    history: t.loadableList({
      type: TicketHistoryEntry,
      load: async (ticketIds: number[], context) => {
        const byTicket = await historyOfTickets(context.services, ticketIds);
        return ticketIds.map((id) => byTicket.get(id) ?? []);
      },
      resolve: (ticket) => ticket.id,
    }),
    outOfHours: t.exposeBoolean('outOfHours'),
    callbackRequested: t.exposeBoolean('callbackRequested', { nullable: true }),
    closedBy: t.expose('closedBy', { type: ClosedBy, nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    queuedAt: t.expose('queuedAt', { type: 'DateTime', nullable: true, description: 'When it last entered a queue' }),
    acceptedAt: t.expose('acceptedAt', { type: 'DateTime', nullable: true }),
    firstResponseAt: t.expose('firstResponseAt', { type: 'DateTime', nullable: true }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true }),
    lastActivityAt: t.expose('lastActivityAt', { type: 'DateTime' }),
  }),
});

const TicketEdge = builder.objectRef<TicketList['edges'][number]>('TicketEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: Ticket, resolve: (edge) => edge.node }),
  }),
});

export const TicketConnection = builder.objectRef<TicketList>('TicketConnection').implement({
  description: 'Newest activity first, ties broken by id',
  fields: (t) => ({
    edges: t.field({
      type: [TicketEdge],
      resolve: (list) => {
        rememberRelations(list.edges.map((edge) => edge.node), list.related);
        return list.edges;
      },
    }),
    ...pageFieldsOf(t),
  }),
});

const SectorWaitingCount = builder.objectRef<SectorWaiting>('SectorWaitingCount').implement({
  description: "One queue's size: the WAITING tickets of a sector I watch",
  fields: (t) => ({
    sectorId: t.globalID({ resolve: (row) => ({ type: 'Sector', id: row.sectorId }) }),
    sector: t.field({ type: Sector, resolve: (row) => String(row.sectorId) }),
    waitingCount: t.exposeInt('waitingCount', { description: 'The same number as Sector.waitingCount' }),
  }),
});

export const TicketCounts = builder.objectRef<TicketCountsShape & { bySector?: SectorWaiting[] }>('TicketCounts').implement({
  fields: (t) => ({
    waiting: t.exposeInt('waiting', { description: 'Unassigned tickets I can see' }),
    open: t.exposeInt('open', { description: 'Tickets assigned to me' }),
    closed: t.exposeInt('closed', { description: 'Closed tickets I can see' }),
    bySector: t.field({
      type: [SectorWaitingCount],
      description: 'The queue of each sector I watch (every sector for an ADMIN, my sectors for a USER), by sector id; live in ticketCountsChanged',
      resolve: (counts, _args, context) => counts.bySector ?? queueSizesOf(context.services, context.viewer!),
    }),
  }),
});

builder.objectField(Contact, 'tickets', (t) =>
  t.withAuth({ authenticated: true }).field({
    type: TicketConnection,
    description: "The contact's tickets I can see",
    args: pageArgsOf(t.arg),
    resolve: (contact, args, context) => ticketsOfContact(context.services, context.viewer, contact.id, args),
  }),
);

const AttachmentInput = builder.inputType('AttachmentInput', {
  fields: (t) => ({ url: t.string({ required: true }), mime: t.string({ required: true }), name: t.string() }),
});

const IngestContactInput = builder.inputType('IngestContactInput', {
  fields: (t) => ({
    phone: t.string({ required: true, description: 'Any spelling; stored as digits' }),
    name: t.string(),
    externalId: t.string(),
  }),
});

const IngestMessageInput = builder.inputType('IngestMessageInput', {
  fields: (t) => ({
    channelId: t.id({ description: 'The default channel when omitted' }),
    contact: t.field({ type: IngestContactInput, required: true }),
    body: t.string(),
    kind: t.field({ type: builder.enumType('IngestMessageKind', { values: ['TEXT', 'AUDIO', 'IMAGE', 'DOCUMENT'] as const }) }),
    attachments: t.field({ type: [AttachmentInput] }),
    sectorId: t.id({ description: "Queue for a new ticket, or for a waiting one that has none yet (the bot's menu answer)" }),
    externalId: t.string({ description: "The message's id at the channel: a redelivery with the same id returns the ticket and adds nothing" }),
  }),
});

const ticketId = (id: string | number, field = 'id') => localIdOf('Ticket', String(id), field);

builder.queryFields((t) => ({
  ticket: t.field({
    type: Ticket,
    nullable: true,
    description: 'Null when missing or not visible to me; an integration needs the READ scope',
    authScopes: { authenticated: true, integration: true },
    args: { id: t.arg.id({ required: true }) },
    // The ticket, its contact, sector and (when asked) newest messages in one read; the fields take them from there.
    resolve: async (_root, { id }, context, info) => {
      const messagesArgs = askedMessagesArgs(info);
      const size = messagesArgs ? messagesPrefetchSize(messagesArgs) : null;
      const read = ticketId(id);
      const view = await readConfirmingViewer(
        context,
        (userId) => ticketViewReadingUser(context.services, context.viewer, read, size, userId),
        () => ticketView(context.services, context.viewer, read, size),
      );
      if (!view) return null;
      rememberRelations([view.ticket], view.related);
      if (size !== null && view.messages) rememberMessages(context, view.ticket.id, size, view.messages);
      return view.ticket;
    },
  }),
  tickets: t.withAuth({ authenticated: true }).field({
    type: TicketConnection,
    description: 'A tab: WAITING and CLOSED as visible to me; OPEN = assigned to me, or every visible open ticket with all: true',
    args: {
      status: t.arg({ type: TicketStatus, required: true }),
      ...pageArgsOf(t.arg),
      sectorId: t.arg.id(),
      search: t.arg.string({ description: 'Contact name or phone, or message text' }),
      all: t.arg.boolean(),
    },
    // totalCount asked: the store may count the tab in the page's own statement; rows are read as far as the query asks.
    resolve: (_root, args, context, info) => {
      const tab = { ...args, sectorId: optionalLocalIdOf('Sector', args.sectorId, 'sectorId') };
      const options = { withTotal: asksField(info, 'totalCount'), reads: tabRowReadsOf(info) };
      return readConfirmingViewer(
        context,
        (userId) => listTicketsReadingUser(context.services, context.viewer, tab, options, userId),
        () => listTickets(context.services, context.viewer, tab, options),
      );
    },
  }),
  ticketCounts: t.withAuth({ authenticated: true }).field({
    type: TicketCounts,
    resolve: (_root, _args, context) =>
      readConfirmingViewer(
        context,
        (userId) => ticketCountsReadingUser(context.services, context.viewer, userId),
        () => ticketCounts(context.services, context.viewer),
      ),
  }),
}));

builder.mutationFields((t) => ({
  ingestMessage: t.field({
    type: Ticket,
    description: "A bot or channel hands over a contact's message: joins their live ticket on the channel or opens a WAITING one",
    authScopes: { admin: true, integration: true },
    args: { input: t.arg({ type: IngestMessageInput, required: true }) },
    resolve: (_root, { input }, context) =>
      ingestMessage(context.services, context.viewer, {
        ...input,
        channelId: optionalLocalIdOf('Channel', input.channelId, 'input.channelId'),
        sectorId: optionalLocalIdOf('Sector', input.sectorId, 'input.sectorId'),
      }),
  }),
  acceptTicket: t.field({
    type: Ticket,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => acceptTicket(context.services, context.viewer, ticketId(id)),
  }),
  takeNextTicket: t.field({
    type: Ticket,
    nullable: true,
    description: 'Accepts the oldest waiting ticket of my sectors; null when my queues are empty',
    authScopes: { authenticated: true },
    resolve: (_root, _args, context) => takeNextTicket(context.services, context.viewer),
  }),
  closeTicket: t.field({
    type: Ticket,
    description: 'OPEN: by the assignee or an ADMIN. WAITING (unattended): by an ADMIN or canDismissWaiting',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => closeTicket(context.services, context.viewer, ticketId(id)),
  }),
  reopenTicket: t.field({
    type: Ticket,
    description: 'CLOSED -> OPEN, assigned to me',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, context) => reopenTicket(context.services, context.viewer, ticketId(id)),
  }),
  transferTicket: t.field({
    type: Ticket,
    description: 'To a sector (WAITING there), an agent (OPEN, theirs) and/or a channel',
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }), sectorId: t.arg.id(), userId: t.arg.id(), channelId: t.arg.id() },
    resolve: (_root, args, context) =>
      transferTicket(context.services, context.viewer, ticketId(args.id), {
        sectorId: optionalLocalIdOf('Sector', args.sectorId, 'sectorId'),
        userId: optionalLocalIdOf('User', args.userId, 'userId'),
        channelId: optionalLocalIdOf('Channel', args.channelId, 'channelId'),
      }),
  }),
  setTicketTags: t.field({
    type: Ticket,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }), tags: t.arg.stringList({ required: true }) },
    resolve: (_root, { id, tags }, context) => setTicketTags(context.services, context.viewer, ticketId(id), tags),
  }),
}));

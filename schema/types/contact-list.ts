import type { Contact as ContactRow } from '../../db/types.js';
import { contactStateFor, contactTimeline, listContacts, type ContactState as ContactStateShape } from '../../resolvers/contacts.js';
import { closedTickets } from '../../resolvers/tickets/queries.js';
import { tabRowReadsOf } from '../tab-row-reads.js';
import { builder } from '../builder.js';
import { pageArgsOf, pageFieldsOf, type PageShape } from '../connections.js';
import { optionalLocalIdOf } from '../ids.js';
import { Contact } from './contact.js';
import { MessageConnection } from './message.js';
import { TicketConnection } from './ticket.js';
import { User } from './user.js';

type ContactPage = PageShape & { edges: { cursor: string; node: ContactRow }[] };

const ContactEdge = builder.objectRef<ContactPage['edges'][number]>('ContactEdge').implement({
  fields: (t) => ({ cursor: t.exposeString('cursor'), node: t.field({ type: Contact, resolve: (edge) => edge.node }) }),
});

const ContactConnection = builder.objectRef<ContactPage>('ContactConnection').implement({
  description: 'Newest interaction first',
  fields: (t) => ({ edges: t.field({ type: [ContactEdge], resolve: (page) => page.edges }), ...pageFieldsOf(t) }),
});

const ContactState = builder.objectRef<ContactStateShape>('ContactState').implement({
  description: 'The contact as it stands for me',
  fields: (t) => ({
    servedBy: t.field({ type: User, nullable: true, description: 'Who serves them now, on any channel', resolve: (state) => (state.servedById ? String(state.servedById) : null) }),
    readOnly: t.exposeBoolean('readOnly', { description: 'Another agent serves them: read only for me' }),
    windowOpen: t.exposeBoolean('windowOpen', { description: 'Inside the 24-hour customer-service window' }),
    windowClosesAt: t.expose('windowClosesAt', { type: 'DateTime', nullable: true }),
    lastInboundAt: t.expose('lastInboundAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.objectFields(Contact, (t) => ({
  state: t.withAuth({ authenticated: true }).field({
    type: ContactState,
    resolve: (contact, _args, context) => contactStateFor(context.services, context.viewer, contact),
  }),
  timeline: t.withAuth({ authenticated: true }).field({
    type: MessageConnection,
    description: "Every message of the contact's tickets I can see, newest first (last 90 days by default)",
    args: { days: t.arg.int(), ...pageArgsOf(t.arg) },
    resolve: (contact, { days, ...page }, context) => contactTimeline(context.services, context.viewer, contact.id, days, page),
  }),
}));


builder.queryFields((t) => ({
  contacts: t.withAuth({ authenticated: true }).field({
    type: ContactConnection,
    description: 'Contacts I may see (all with canViewAllContacts or as ADMIN; otherwise those with a ticket I see)',
    args: {
      ...pageArgsOf(t.arg), search: t.arg.string({ description: 'Name or phone' }),
      name: t.arg.string(), email: t.arg.string(), phone: t.arg.string(), city: t.arg.string(), document: t.arg.string(), id: t.arg.id(),
      lastInteractionFrom: t.arg({ type: 'DateTime', description: 'Last interaction at or after this instant (inclusive, to the millisecond)' }),
      lastInteractionTo: t.arg({ type: 'DateTime', description: 'Last interaction at or before this instant (inclusive, to the millisecond); contacts that never interacted are left out by either bound' }),
    },
    resolve: (_root, args, context) =>
      listContacts(context.services, context.viewer, {
        first: args.first, after: args.after, last: args.last, before: args.before,
        search: args.search ?? undefined, name: args.name ?? undefined, email: args.email ?? undefined, phone: args.phone ?? undefined,
        city: args.city ?? undefined, document: args.document ?? undefined, id: optionalLocalIdOf('Contact', args.id, 'id') ?? undefined,
        lastInteractionFrom: args.lastInteractionFrom ?? undefined, lastInteractionTo: args.lastInteractionTo ?? undefined,
      }),
  }),
  closedTickets: t.withAuth({ authenticated: true }).field({
    type: TicketConnection,
    description: 'Conversation history: closed tickets I can see from the last `days` (90 by default), newest first',
    args: { days: t.arg.int(), ...pageArgsOf(t.arg), sectorId: t.arg.id(), assigneeId: t.arg.id(), channelId: t.arg.id(), search: t.arg.string() },
    resolve: (_root, args, context, info) =>
      closedTickets(context.services, context.viewer, {
        days: args.days, first: args.first, after: args.after, last: args.last, before: args.before, search: args.search,
        sectorId: optionalLocalIdOf('Sector', args.sectorId, 'sectorId'), assigneeId: optionalLocalIdOf('User', args.assigneeId, 'assigneeId'), channelId: optionalLocalIdOf('Channel', args.channelId, 'channelId'),
      }, tabRowReadsOf(info)),
  }),
}));

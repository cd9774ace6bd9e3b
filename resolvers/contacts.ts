import { z } from 'zod';
import type { Contact, ContactCursor, ContactFilter, TicketScope } from '../db/types.js';
import { connectionOf, decodeCursor, encodeCursor, idWindowOf, pageWindowOf, type PageArgs } from './connections.js';
import { BadUserInputError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertAgent } from './permissions.js';
import type { Services } from './services.js';
import { actorOf } from './tickets/common.js';
import { tagList, windowClosesAt } from './tickets/conversation.js';
import { ticketScopeOf } from './visibility.js';
import type { Viewer } from './viewer.js';

export interface ContactInput {
  name?: string | null;
  email?: string | null;
  city?: string | null;
  document?: string | null;
  notes?: string | null;
  tags?: readonly string[] | null;
}

const contactRules = {
  name: z.string().trim().max(120, 'Name is at most 120 characters'),
  email: rules.email,
  city: z.string().trim().max(120, 'City is at most 120 characters'),
  document: z.string().trim().max(40, 'Document is at most 40 characters'),
  notes: z.string().max(4000, 'Notes are at most 4000 characters'),
};

/** For loaders: the contacts among `ids` I may see; the rest are absent, as if missing. */
export async function contactsByIds(services: Services, viewer: Viewer, ids: readonly number[]): Promise<Contact[]> {
  return services.store.contacts.byIdsVisible(viewer.accountId, await contactVisibility(services, viewer), ids);
}

/** For a ticket's contact field: the ticket is visible, so its contact is too (the rule above); no second check. */
export async function contactsOfVisibleTickets(services: Services, viewer: Viewer, ids: readonly number[]): Promise<Contact[]> {
  return services.store.contacts.byIds(viewer.accountId, ids);
}

export async function tagsOfContacts(services: Services, contactIds: readonly number[]): Promise<Map<number, string[]>> {
  return services.store.contacts.tagsOf(contactIds);
}

export async function updateContact(services: Services, viewer: Viewer | null, contactId: number, input: ContactInput): Promise<Contact> {
  assertAgent(viewer);
  const changes = rules.parseFields(contactRules, input);
  const tags = input.tags === undefined || input.tags === null ? undefined : rules.parseInput(tagList, input.tags, 'input.tags');
  const at = services.clock.now();
  const visibleThrough = await contactVisibility(services, viewer);
  return services.store.write(async (tx) => {
    if ((await tx.contacts.byIdsVisible(viewer.accountId, visibleThrough, [contactId])).length === 0) throw new NotFoundError('Contact');
    const contact = await tx.contacts.update(viewer.accountId, contactId, changes, at);
    if (!contact) throw new NotFoundError('Contact');
    if (tags) await tx.contacts.replaceTags(contactId, tags);
    const changed = [...Object.keys(changes), ...(tags ? ['tags'] : [])];
    await recordEvent(tx, at, viewer.accountId, 'contact.updated', { contactId, actor: actorOf(viewer), changed });
    return contact;
  });
}

export interface ContactListArgs extends ContactFilter, PageArgs {}

export function contactCursorOf(contact: Contact): string {
  return encodeCursor(contact.lastInteractionAt?.getTime() ?? 0, contact.id);
}

/** ADMINs and agents with canViewAllContacts list every contact; others those with a ticket they see. */
async function contactVisibility(services: Services, viewer: Viewer): Promise<TicketScope | 'all'> {
  if (viewer.kind !== 'user' || viewer.role === 'ADMIN') return 'all';
  const user = await services.store.users.byId(viewer.accountId, viewer.userId);
  return user?.canViewAllContacts ? 'all' : ticketScopeOf(viewer);
}

export async function listContacts(services: Services, viewer: Viewer | null, args: ContactListArgs) {
  assertAgent(viewer);
  const window = pageWindowOf(args, (cursor, field): ContactCursor | undefined => {
    const [lastInteractionAt, id] = decodeCursor(cursor, 2, field) ?? [];
    return id === undefined ? undefined : { lastInteractionAt: lastInteractionAt!, id };
  });
  if (args.phone !== undefined && args.phone.replace(/[^0-9]/g, '') === '') throw new BadUserInputError('phone', 'A phone filter needs digits');
  if (args.lastInteractionFrom && args.lastInteractionTo && args.lastInteractionFrom > args.lastInteractionTo) {
    throw new BadUserInputError('lastInteractionTo', 'The period ends before it starts');
  }
  const visibleThrough = await contactVisibility(services, viewer);
  const { first: _first, after: _after, last: _last, before: _before, ...filter } = args;
  const page = await services.store.contacts.page(viewer.accountId, visibleThrough, filter, window.size, window.cursor, window.direction);
  return connectionOf(page.contacts, window, page.hasMore, contactCursorOf, () => services.store.contacts.count(viewer.accountId, visibleThrough, filter));
}

export interface ContactState {
  /** The agent serving the contact now on any channel, or null. */
  servedById: number | null;
  /** Another agent serves them: I may read, not write. */
  readOnly: boolean;
  lastInboundAt: Date | null;
  windowClosesAt: Date | null;
  windowOpen: boolean;
}

/** The contact as it stands for me: who serves them, and whether the 24-hour window is open. */
export async function contactStateFor(services: Services, viewer: Viewer, contact: Contact): Promise<ContactState> {
  const servedById = await services.store.contacts.servedBy(viewer.accountId, contact.id);
  const lastInboundAt = await services.store.messages.lastInboundAt(contact.id, null);
  const closes = windowClosesAt(lastInboundAt);
  return {
    servedById,
    readOnly: servedById !== null && (viewer.kind !== 'user' || servedById !== viewer.userId),
    lastInboundAt,
    windowClosesAt: closes,
    windowOpen: closes !== null && services.clock.now() < closes,
  };
}

/** Every message of the contact's tickets I can see, from the last `days` (90 by default), newest first. */
export async function contactTimeline(services: Services, viewer: Viewer, contactId: number, days: number | null | undefined, args: PageArgs) {
  const span = days ?? 90;
  if (!Number.isInteger(span) || span < 1 || span > 3650) throw new BadUserInputError('days', 'Between 1 and 3650 days');
  const window = idWindowOf(args);
  const since = new Date(services.clock.now().getTime() - span * 86_400_000);
  const scope = ticketScopeOf(viewer);
  const page = await services.store.contacts.timeline(scope, contactId, since, window.size, window.cursor, window.direction);
  return connectionOf(page.messages, window, page.hasMore, (node) => encodeCursor(node.id), () => services.store.contacts.timelineCount(scope, contactId, since));
}

import type { Message, MessagePage, PageRelations, ReadingUser, TabRowReads, Ticket, TicketCounts, TicketHistoryEntry, TicketPage, TicketPageCursor, TicketPageOptions, TicketScope, TicketStatus, TicketTab, TicketView } from '../../db/types.js';
import { connectionOf, decodeCursor, encodeCursor, idWindowOf, pageWindowOf, type Connection, type PageArgs, type PageWindow } from '../connections.js';
import { BadUserInputError, NotFoundError } from '../errors.js';
import { assertTicketReader } from '../permissions.js';
import { ticketScopeOf } from '../visibility.js';
import type { Services } from '../services.js';
import type { Viewer } from '../viewer.js';

export interface TicketListArgs extends PageArgs {
  status: TicketStatus;
  sectorId?: number | null;
  search?: string | null;
  /** OPEN only: every visible open ticket instead of mine. */
  all?: boolean | null;
}

export interface TicketList extends Connection<Ticket> {
  /** Contacts, sectors and last messages the page read already, for the loaders to use first. */
  related?: PageRelations | undefined;
}

export function ticketCursorOf(ticket: Ticket): string {
  return encodeCursor(ticket.lastActivityAt.getTime(), ticket.id);
}

function parseCursor(cursor: string | null | undefined, field: string): TicketPageCursor | undefined {
  const [lastActivityAt, id] = decodeCursor(cursor, 2, field) ?? [];
  return id === undefined ? undefined : { lastActivityAt: lastActivityAt!, id };
}

function ticketWindowOf(args: PageArgs): PageWindow<TicketPageCursor> {
  return pageWindowOf(args, parseCursor);
}

function toList(page: TicketPage, window: PageWindow<TicketPageCursor>, totalCount: () => Promise<number>): TicketList {
  const total = page.total;
  const counted = total === undefined ? totalCount : () => Promise.resolve(total);
  return { ...connectionOf(page.tickets, window, page.hasMore, ticketCursorOf, counted), related: page.related };
}

/**
 * A tab: WAITING and CLOSED as visible, OPEN = assigned to me (all: every visible open ticket).
 * `options`: what the query asks (totalCount: the store may count the tab in the page's read; how much of each row it reads).
 */
export async function listTickets(services: Services, viewer: Viewer, args: TicketListArgs, options: TicketPageOptions = {}): Promise<TicketList> {
  return (await readTab(services, viewer, args, (scope, tab, window) => services.store.tickets.page(scope, tab, window.size, window.cursor, window.direction, options).then((page) => ({ answer: page, user: null })))).answer;
}

/** listTickets with the user `userId` read beside the page (schema/viewer-confirmation.ts). */
export async function listTicketsReadingUser(services: Services, viewer: Viewer, args: TicketListArgs, options: TicketPageOptions, userId: number): Promise<ReadingUser<TicketList>> {
  return readTab(services, viewer, args, (scope, tab, window) => services.store.tickets.pageReadingUser(userId, scope, tab, window.size, window.cursor, window.direction, options));
}

async function readTab(
  services: Services,
  viewer: Viewer,
  args: TicketListArgs,
  readPage: (scope: TicketScope, tab: TicketTab, window: PageWindow<TicketPageCursor>) => Promise<ReadingUser<TicketPage>>,
): Promise<ReadingUser<TicketList>> {
  const scope = ticketScopeOf(viewer);
  const window = ticketWindowOf(args);
  if (args.sectorId !== null && args.sectorId !== undefined && !(await services.store.sectors.byId(viewer.accountId, args.sectorId))) {
    throw new BadUserInputError('sectorId', 'Unknown sector');
  }
  const tab: TicketTab = {
    status: args.status,
    assignedOnly: args.status === 'OPEN' && !args.all,
    sectorId: args.sectorId ?? undefined,
    search: args.search?.trim() || undefined,
  };
  const { answer: page, user } = await readPage(scope, tab, window);
  return { answer: toList(page, window, () => services.store.tickets.count(scope, tab)), user };
}

export interface ClosedTicketArgs extends PageArgs {
  days?: number | null;
  sectorId?: number | null;
  assigneeId?: number | null;
  channelId?: number | null;
  search?: string | null;
}

/** Conversation history: closed tickets I can see from the last `days` (90, about 3 months, by default). `reads`: how much of each row the query reads. */
export async function closedTickets(services: Services, viewer: Viewer, args: ClosedTicketArgs, reads?: TabRowReads): Promise<TicketList> {
  const days = args.days ?? 90;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new BadUserInputError('days', 'Between 1 and 3650 days');
  const scope = ticketScopeOf(viewer);
  if (args.sectorId && !(await services.store.sectors.byId(viewer.accountId, args.sectorId))) throw new BadUserInputError('sectorId', 'Unknown sector');
  const tab = {
    status: 'CLOSED' as const,
    assignedOnly: false,
    sectorId: args.sectorId ?? undefined,
    search: args.search?.trim() || undefined,
    since: new Date(services.clock.now().getTime() - days * 86_400_000),
    assigneeId: args.assigneeId ?? undefined,
    channelId: args.channelId ?? undefined,
  };
  const window = ticketWindowOf(args);
  const page = await services.store.tickets.page(scope, tab, window.size, window.cursor, window.direction, reads ? { reads } : {});
  return toList(page, window, () => services.store.tickets.count(scope, tab));
}

export async function ticketCounts(services: Services, viewer: Viewer): Promise<TicketCounts> {
  return services.store.tickets.tabCounts(ticketScopeOf(viewer));
}

/** ticketCounts with the user `userId` read beside them (schema/viewer-confirmation.ts). */
export async function ticketCountsReadingUser(services: Services, viewer: Viewer, userId: number): Promise<ReadingUser<TicketCounts>> {
  return services.store.tickets.tabCountsReadingUser(ticketScopeOf(viewer), userId);
}

/** For loaders: the visible ones among `ids`; the rest are simply absent (as if missing). */
export async function ticketsByIds(services: Services, viewer: Viewer, ids: readonly number[]): Promise<Ticket[]> {
  return services.store.tickets.byIdsInScope(ticketScopeOf(viewer), ids);
}

/**
 * ticket(id) with what its fields will show, read together: null when missing or invisible; an
 * integration needs the READ scope to ask at all.
 * `messagesSize`: the size of the newest-messages page the query asks for (messagesPrefetchSize), or null.
 */
export async function ticketView(services: Services, viewer: Viewer | null, id: number, messagesSize: number | null): Promise<TicketView | null> {
  assertTicketReader(viewer);
  return services.store.tickets.viewInScope(ticketScopeOf(viewer), id, messagesSize);
}

/** ticketView, and the user `userId` read in the same statement (schema/viewer-confirmation.ts confirms the viewer with it). */
export async function ticketViewReadingUser(services: Services, viewer: Viewer | null, id: number, messagesSize: number | null, userId: number) {
  assertTicketReader(viewer);
  return services.store.tickets.viewInScopeReadingUser(ticketScopeOf(viewer), id, messagesSize, userId);
}

/** The size of a messages page worth reading beside its ticket: the first page forward; null for any other (or invalid) window. */
export function messagesPrefetchSize(args: PageArgs): number | null {
  try {
    const window = idWindowOf(args);
    return window.direction === 'forward' && window.cursor === undefined ? window.size : null;
  } catch {
    // The messages field itself answers the bad arguments with their typed error.
    return null;
  }
}

export async function ticketsOfContact(services: Services, viewer: Viewer, contactId: number, args: PageArgs): Promise<TicketList> {
  const scope = ticketScopeOf(viewer);
  const window = ticketWindowOf(args);
  const page = await services.store.tickets.ofContact(scope, contactId, window.size, window.cursor, window.direction);
  return toList(page, window, () => services.store.tickets.countOfContact(scope, contactId));
}

/** Messages of a ticket the caller already resolved through the scope (a Ticket field), newest first. */
export async function messagesOf(services: Services, ticket: Ticket, args: PageArgs, read?: { size: number; page: MessagePage }) {
  const window = idWindowOf(args);
  const readAlready = read && window.direction === 'forward' && window.cursor === undefined && window.size === read.size;
  const page = readAlready ? read.page : await services.store.messages.pageOf(ticket.id, window.size, window.cursor, window.direction);
  return connectionOf(page.messages, window, page.hasMore, (node: Message) => encodeCursor(node.id), () => services.store.messages.countOf(ticket.id));
}

export async function historyOfTickets(services: Services, ticketIds: readonly number[]): Promise<Map<number, TicketHistoryEntry[]>> {
  return services.store.messages.historyOf(ticketIds);
}

export async function tagsOfTickets(services: Services, ticketIds: readonly number[]): Promise<Map<number, string[]>> {
  return services.store.tickets.tagsOf(ticketIds);
}

/** For a ticket's lastMessage field: the ticket is visible, so its messages need no second check. */
export async function messagesOfVisibleTickets(services: Services, viewer: Viewer, ids: readonly number[]): Promise<Message[]> {
  return services.store.messages.byIds(viewer.accountId, ids);
}

/** Messages by id, only those whose ticket the viewer may see. */
export async function messagesByIds(services: Services, viewer: Viewer, ids: readonly number[]): Promise<Message[]> {
  const found = await services.store.messages.byIds(viewer.accountId, ids);
  const visible = await ticketsByIds(services, viewer, [...new Set(found.map((message) => message.ticketId))]);
  const visibleIds = new Set(visible.map((ticket) => ticket.id));
  return found.filter((message) => visibleIds.has(message.ticketId));
}

export async function visibleTicket(services: Services, viewer: Viewer, ticketId: number): Promise<Ticket> {
  const [ticket] = await ticketsByIds(services, viewer, [ticketId]);
  if (!ticket) throw new NotFoundError('Ticket');
  return ticket;
}

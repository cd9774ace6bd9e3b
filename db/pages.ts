import { asc, desc, gt, lt, type SQLWrapper } from 'drizzle-orm';
import type { Contact, Message, PageDirection, Ticket } from './types.js';

// Every list is shown newest first, on every engine. A backward page (last/before) reads the rows just newer than its
// cursor, oldest first so the index walks from the cursor, and is turned round here.

/** The cursor condition on a descending key: older than it forward, newer backward. */
export function beyond(column: SQLWrapper, cursor: number | undefined, direction: PageDirection = 'forward') {
  if (cursor === undefined) return undefined;
  return direction === 'forward' ? lt(column as never, cursor) : gt(column as never, cursor);
}

/** The read order that starts at the cursor: newest first forward, oldest first backward. */
export function readOrder(direction: PageDirection = 'forward') {
  return direction === 'forward' ? desc : asc;
}

/** Rows read `size + 1` in read order, as the page shows them (newest first), and whether more follow. */
export function pageOfRows<T>(rows: readonly T[], size: number, direction: PageDirection = 'forward'): { rows: T[]; hasMore: boolean } {
  const page = rows.slice(0, size);
  return { rows: direction === 'forward' ? page : page.reverse(), hasMore: rows.length > size };
}

/**
 * How many tickets of a searched tab are read in page order, each tested against the term on its own
 * contact and messages, before a search reads every match through the trigram indexes instead. A term
 * common in messages finds a page within them; one that is not, through its index.
 */
export const searchWalkLength = 500;

/**
 * The fields a console's tab row shows of a ticket, its contact and its last message (TabRowReads'
 * `tabRow`): a page asking no more is read without the rest, which is most of a row's size.
 */
export const tabRowFields = {
  ticket: ['id', 'protocol', 'status', 'contactId', 'channelId', 'sectorId', 'assigneeId', 'lastMessageId', 'lastActivityAt'],
  contact: ['id', 'name', 'phone'],
  message: ['id', 'ticketId', 'direction', 'author', 'authorUserId', 'kind', 'body', 'createdAt'],
} as const satisfies { ticket: readonly (keyof Ticket)[]; contact: readonly (keyof Contact)[]; message: readonly (keyof Message)[] };

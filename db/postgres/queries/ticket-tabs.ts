import { or, sql, type SQL } from 'drizzle-orm';
import { assignedTicketsWhere, sectorList, visibleTicketBranches } from '../scope.js';
import type { PageDirection, TicketPageCursor, TicketScope, TicketStatus, TicketTab } from '../../types.js';
import { sameId } from './ids.js';
import { rowCountLiteral, statusLiteral } from '../plan-literals.js';
import { searchWalkLength } from '../../pages.js';
import { characterCount, holdsText, startsWithText, trigramMatches } from './search-terms.js';

// The SQL of the tabs, as pure functions of their arguments, with the filter semantics of
// db/sqlite/queries/ticket-tabs.ts: the same branches, filters and count-table sums.

/**
 * Epoch milliseconds as a timestamptz, exactly: a client's cursor may carry up to 15 digits, past what
 * a JavaScript Date prints as an ISO string PostgreSQL reads. Stable, so the index ranges still use it.
 */
export const instant = (ms: number): SQL => sql`(timestamptz 'epoch' + ${ms}::bigint * interval '1 millisecond')`;

/** The narrowing a tab adds to each branch, on top of visibility (a search reads the statement's `found` lists). */
function tabFilter(tab: TicketTab): SQL {
  const parts: SQL[] = [];
  if (tab.search) parts.push(sql` AND ${searchWhere(tab.search)}`);
  if (tab.since) parts.push(sql` AND last_activity_at >= ${instant(tab.since.getTime())}`);
  if (tab.assigneeId !== undefined) parts.push(sql` AND ${sameId(sql`assignee_id`, tab.assigneeId)}`);
  if (tab.channelId !== undefined) parts.push(sql` AND ${sameId(sql`channel_id`, tab.channelId)}`);
  return sql.join(parts, sql``);
}

export const needsCounting = (tab: TicketTab) => Boolean(tab.search || tab.since || tab.assigneeId !== undefined || tab.channelId !== undefined);

// The tab indexes are DESC NULLS LAST (drizzle's desc()); PostgreSQL walks an index for an ORDER BY only
// when the NULLS placement matches too, whatever the NOT NULL constraints, so it is spelled out. Backward
// is the same index walked the other way.
const byRecency = sql`last_activity_at DESC NULLS LAST, id DESC NULLS LAST`;

const byAge = sql`last_activity_at ASC NULLS FIRST, id ASC NULLS FIRST`;

function beyondCursor(cursor: TicketPageCursor | undefined, direction: PageDirection): SQL {
  if (!cursor) return sql``;
  const at = sql`(${instant(cursor.lastActivityAt)}, ${cursor.id}::bigint)`;
  return direction === 'forward' ? sql` AND (last_activity_at, id) < ${at}` : sql` AND (last_activity_at, id) > ${at}`;
}

const indexedSearch = (term: string) => characterCount(term.trim()) >= 3;

/**
 * What a search matches, read once per statement (every branch filters by it): contacts by name or phone
 * and tickets by message text from 3 characters (trigram indexes), contacts by name or phone prefix below.
 */
function searchLists(term: string): SQL {
  const text = term.trim();
  if (indexedSearch(term)) {
    return sql`WITH found_contacts AS MATERIALIZED (${trigramMatches('contacts', ['name', 'phone'], text)}),
      found_tickets AS MATERIALIZED (SELECT ticket_id FROM messages WHERE ${holdsText(sql`body`, text)}) `;
  }
  return sql`WITH found_contacts AS MATERIALIZED (SELECT id FROM contacts WHERE ${startsWithText(sql`name`, text)} OR ${startsWithText(sql`phone`, text)}) `;
}

/** The tickets of what searchLists found. */
function searchWhere(term: string): SQL {
  const contacts = sql`contact_id IN (SELECT id FROM found_contacts)`;
  return indexedSearch(term) ? sql`(${contacts} OR id IN (SELECT ticket_id FROM found_tickets))` : contacts;
}

/** "Mine" for a viewer who is no user (an integration): the one tab without branches. */
export const tabIsEmpty = (scope: TicketScope, tab: TicketTab): boolean => tab.assignedOnly && scope.userId === null;

/** The index-prefix branches whose union is the tab. */
function branchesOf(scope: TicketScope, tab: TicketTab): SQL[] {
  if (tab.assignedOnly) {
    if (scope.userId === null) return [];
    return [assignedTicketsWhere(scope.userId, tab.status, tab.sectorId)];
  }
  return visibleTicketBranches(scope, tab.status, tab.sectorId);
}

/**
 * Ids of a page (size + 1 to tell whether more follow): at most size + 1 entries per branch, each an
 * index range read from the cursor on: older rows newest first (forward), or newer rows oldest first
 * (backward, last/before). UNION, not UNION ALL: a ticket of my sector assigned to me is in two branches.
 */
export function pageIdsSql(scope: TicketScope, tab: TicketTab, size: number, cursor: TicketPageCursor | undefined, direction: PageDirection = 'forward'): SQL {
  const limit = rowCountLiteral(size + 1);
  const filter = tabFilter(tab);
  const order = direction === 'forward' ? byRecency : byAge;
  const selects = branchesOf(scope, tab).map(
    (where) => sql`(SELECT id, last_activity_at FROM tickets WHERE ${where}${filter}${beyondCursor(cursor, direction)} ORDER BY ${order} LIMIT ${limit})`,
  );
  const lists = tab.search ? searchLists(tab.search) : sql``;
  return sql`${lists}SELECT id FROM (${sql.join(selects, sql` UNION `)}) AS branches ORDER BY ${order} LIMIT ${limit}`;
}

/** Terms a searched tab may test ticket by ticket (db/pages.ts' searchWalkLength): those the trigram indexes answer. */
export const isWalkableTerm = (term: string): boolean => indexedSearch(term);

/**
 * The CTEs of a searched page read by walking the tab: `walked`, the tab's first searchWalkLength tickets
 * from the cursor in page order, and `found`, the first size + 1 of them whose contact or messages hold
 * the term, each tested on its own rows with the predicate the trigram indexes answer. When fewer than
 * size + 1 are found and the walk did not reach the tab's end, the page is not decided by them.
 */
export function searchWalkSql(scope: TicketScope, tab: TicketTab, size: number, cursor: TicketPageCursor | undefined, direction: PageDirection = 'forward'): SQL {
  const term = tab.search!.trim();
  const order = direction === 'forward' ? byRecency : byAge;
  const { search: _, ...unsearched } = tab;
  const filter = tabFilter(unsearched);
  const selects = branchesOf(scope, tab).map(
    (where) => sql`(SELECT id, last_activity_at, contact_id FROM tickets WHERE ${where}${filter}${beyondCursor(cursor, direction)} ORDER BY ${order} LIMIT ${rowCountLiteral(searchWalkLength)})`,
  );
  return sql`WITH walked AS MATERIALIZED (SELECT id, last_activity_at, contact_id FROM (${sql.join(selects, sql` UNION `)}) AS branches ORDER BY ${order} LIMIT ${rowCountLiteral(searchWalkLength)}),
    found AS MATERIALIZED (SELECT id FROM walked WHERE ${ticketHoldsTerm('walked', term)} ORDER BY ${order} LIMIT ${rowCountLiteral(size + 1)}) `;
}

/** The ticket (a row of `alias` with id and contact_id) has a contact or a message holding the term (3+ characters). */
function ticketHoldsTerm(alias: string, term: string): SQL {
  const ticket = sql.identifier(alias);
  return sql`(EXISTS (SELECT 1 FROM contacts WHERE contacts.id = ${ticket}.contact_id AND (${holdsText(sql`contacts.name`, term)} OR ${holdsText(sql`contacts.phone`, term)}))
    OR EXISTS (SELECT 1 FROM messages WHERE messages.ticket_id = ${ticket}.id AND ${holdsText(sql`messages.body`, term)}))`;
}

/**
 * A filtered tab (search, since, assignee, channel) cannot use the count tables. A search is counted as
 * tests of each ticket's contact and messages: the planner, which knows from the trigram indexes'
 * statistics how common the term is, reads the matches through them once (hashed) or tests ticket by ticket.
 */
export function filteredCountSql(scope: TicketScope, tab: TicketTab): SQL {
  const term = tab.search?.trim();
  if (!term || !indexedSearch(term)) {
    const lists = term ? searchLists(term) : sql``;
    return sql`${lists}SELECT count(*) AS n FROM tickets WHERE (${or(...branchesOf(scope, tab))!})${tabFilter(tab)}`;
  }
  const { search: _, ...unsearched } = tab;
  return sql`SELECT count(*) AS n FROM tickets WHERE (${or(...branchesOf(scope, tab))!})${tabFilter(unsearched)} AND ${ticketHoldsTerm('tickets', term)}`;
}

// The count tables carry a writer slot (0..15) in their keys: every count below sums over the slots. Each
// is a scalar subquery, so a tab's counts add up in one statement (one round trip, not one per part).

/** An ADMIN's tab count: the account's totals for one status. */
export function accountTotalSql(accountId: number, status: TicketStatus): SQL {
  return sql`(SELECT coalesce(sum(n), 0) FROM ticket_totals WHERE account_id = ${accountId} AND status = ${statusLiteral(status)})`;
}

export function sectorsCountSql(accountId: number, status: TicketStatus, sectorIds: readonly number[]): SQL {
  return sql`(SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE account_id = ${accountId} AND status = ${statusLiteral(status)} AND sector_id IN (${sectorList(sectorIds)}))`;
}

/**
 * WAITING per sector as the tab narrowed to each sector counts it: the whole sector where the scope
 * covers it, else only what is assigned to `assigneeId` there. Prefixes of the count table's keys.
 */
export function waitingBySectorSql(accountId: number, covered: readonly number[], others: readonly number[], assigneeId: number | null): SQL {
  const whole = sql`SELECT sector_id, sum(n) AS n FROM ticket_counts WHERE account_id = ${accountId} AND status = 'WAITING' AND sector_id IN (${sectorList(covered)}) GROUP BY sector_id`;
  if (assigneeId === null || others.length === 0) return whole;
  return sql`${whole} UNION ALL SELECT sector_id, sum(n) AS n FROM ticket_counts WHERE assignee_id = ${assigneeId} AND status = 'WAITING'
    AND account_id = ${accountId} AND sector_id IN (${sectorList(others)}) GROUP BY sector_id`;
}

/** Assigned to the user outside the given sectors: "mine" beyond what the sectors' count holds. */
export function assignedElsewhereCountSql(accountId: number, status: TicketStatus, sectorIds: readonly number[], assigneeId: number): SQL {
  return sql`(SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE assignee_id = ${assigneeId} AND status = ${statusLiteral(status)}
            AND account_id = ${accountId} AND sector_id NOT IN (${sectorList(sectorIds)}))`;
}

export function assignedCountSql(accountId: number, userId: number, status: TicketStatus, sectorId: number | undefined): SQL {
  const sector = sectorId === undefined ? sql`` : sql` AND sector_id = ${sectorId}`;
  return sql`(SELECT coalesce(sum(n), 0) FROM ticket_counts WHERE assignee_id = ${userId} AND status = ${statusLiteral(status)} AND account_id = ${accountId}${sector})`;
}

import { or, sql, type SQL } from 'drizzle-orm';
import { contactColumns, messageColumns, sectorColumns, ticketColumns } from '../rows.js';
import { assignedTicketsWhere, sectorList, visibleTicketBranches, visibleTicketsWhere } from '../scope.js';
import type { PageDirection, TicketPageCursor, TicketScope, TicketStatus, TicketTab } from '../../types.js';
import { searchWalkLength } from '../../pages.js';
import { characterCount, ftsPhraseOf, rowHoldsTerm, startsWithText, trigramMatches } from './search-terms.js';

// The SQL of the tabs, as pure functions of their arguments: db/sqlite/prepared.ts renders each once per
// distinct arguments and keeps the statement, so a console polling its tab costs no query building.

/** The narrowing a tab adds to each branch, on top of visibility. */
function tabFilter(tab: TicketTab): SQL {
  const parts: SQL[] = [];
  if (tab.search) parts.push(sql` AND ${searchWhere(tab.search)}`);
  if (tab.since) parts.push(sql` AND last_activity_at >= ${tab.since.getTime()}`);
  if (tab.assigneeId !== undefined) parts.push(sql` AND assignee_id = ${tab.assigneeId}`);
  if (tab.channelId !== undefined) parts.push(sql` AND channel_id = ${tab.channelId}`);
  return sql.join(parts, sql``);
}

export const needsCounting = (tab: TicketTab) => Boolean(tab.search || tab.since || tab.assigneeId !== undefined || tab.channelId !== undefined);

const byRecency = sql`last_activity_at DESC, id DESC`;

const byAge = sql`last_activity_at, id`;

function beyondCursor(cursor: TicketPageCursor | undefined, direction: PageDirection): SQL {
  if (!cursor) return sql``;
  return direction === 'forward' ? sql` AND (last_activity_at, id) < (${cursor.lastActivityAt}, ${cursor.id})` : sql` AND (last_activity_at, id) > (${cursor.lastActivityAt}, ${cursor.id})`;
}

/** Substring of contact name or phone or message text from 3 characters (trigram index), name or phone prefix below. */
function searchWhere(term: string): SQL {
  const text = term.trim();
  if (characterCount(text) >= 3) {
    return sql`(contact_id IN (${trigramMatches('contacts_search', 'contacts', ['name', 'phone'], text)})
      OR id IN (SELECT m.ticket_id FROM messages m WHERE m.id IN (${trigramMatches('messages_search', 'messages', ['body'], text)})))`;
  }
  return sql`contact_id IN (SELECT id FROM contacts WHERE ${startsWithText(sql`name`, text)} OR ${startsWithText(sql`phone`, text)})`;
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
 * Ids of a page (size + 1 to tell whether more follow): at most size + 1 entries per branch, read from
 * the cursor on: older rows newest first (forward), or newer rows oldest first (backward, last/before).
 */
export function pageIdsSql(scope: TicketScope, tab: TicketTab, size: number, cursor: TicketPageCursor | undefined, direction: PageDirection = 'forward'): SQL {
  const limit = size + 1;
  const filter = tabFilter(tab);
  const order = direction === 'forward' ? byRecency : byAge;
  const selects = branchesOf(scope, tab).map(
    (where) => sql`SELECT * FROM (SELECT id, last_activity_at FROM tickets WHERE ${where}${filter}${beyondCursor(cursor, direction)} ORDER BY ${order} LIMIT ${limit})`,
  );
  return sql`SELECT id FROM (${sql.join(selects, sql` UNION `)}) ORDER BY ${order} LIMIT ${limit}`;
}

const qualified = (alias: string, columns: string) => columns.split(', ').map((column) => `${alias}.${column}`).join(', ');
/** Column order of pageSql's rows: the ticket, then its contact, sector and last message (NULLs when absent). */
export const pageColumns = [ticketColumns, contactColumns, sectorColumns, messageColumns].map((columns) => columns.split(', ').length);

const pageRowsJson = sql.raw(
  `json_group_array(json_array(${[qualified('tickets', ticketColumns), qualified('c', contactColumns), qualified('s', sectorColumns), qualified('m', messageColumns)].join(', ')}))`,
);

const pageRowsFrom = sql.raw(`FROM tickets LEFT JOIN contacts c ON c.id = tickets.contact_id AND c.account_id = tickets.account_id
    LEFT JOIN sectors s ON s.id = tickets.sector_id AND s.account_id = tickets.account_id
    LEFT JOIN messages m ON m.id = tickets.last_message_id AND m.ticket_id = tickets.id AND m.account_id = tickets.account_id`);

/**
 * A page in one statement: the ids of pageIdsSql, their rows checked again by visibleTicketsWhere,
 * and what a tab row shows beside them (contact, sector, last message), so loaders need not read them.
 * Unordered: sorting these wide rows in SQL cost more than the whole join (~100 us); the caller sorts.
 * One JSON value (a list of row arrays): better-sqlite3 spends ~80 ns on each of the ~2,500 values
 * of a 50-ticket page, SQLite's JSON and JSON.parse a third of that (320 -> 220 us in a tight loop).
 */
export function pageSql(scope: TicketScope, tab: TicketTab, size: number, cursor: TicketPageCursor | undefined, direction: PageDirection = 'forward'): SQL {
  return sql`SELECT ${pageRowsJson} ${pageRowsFrom} WHERE tickets.id IN (${pageIdsSql(scope, tab, size, cursor, direction)}) AND ${visibleTicketsWhere(scope)}`;
}

/**
 * A searched page read by walking the tab (walkable terms, search-terms.ts): the tab's first
 * searchWalkLength tickets from the cursor in page order, each tested on its own contact and messages,
 * then the first size + 1 found, as pageSql returns them. One JSON value: [tickets walked, rows]. When
 * fewer than size + 1 are found and the walk did not reach the tab's end, the page is not decided here.
 */
export function searchWalkSql(scope: TicketScope, tab: TicketTab, size: number, cursor: TicketPageCursor | undefined, direction: PageDirection = 'forward'): SQL {
  const term = tab.search!.trim();
  const order = direction === 'forward' ? byRecency : byAge;
  const { search: _, ...unsearched } = tab;
  const filter = tabFilter(unsearched);
  const selects = branchesOf(scope, tab).map(
    (where) =>
      sql`SELECT * FROM (SELECT id, last_activity_at, contact_id FROM tickets WHERE ${where}${filter}${beyondCursor(cursor, direction)} ORDER BY ${order} LIMIT ${searchWalkLength})`,
  );
  return sql`WITH walked AS MATERIALIZED (SELECT * FROM (${sql.join(selects, sql` UNION `)}) ORDER BY ${order} LIMIT ${searchWalkLength}),
    found AS (SELECT id FROM walked WHERE ${ticketHoldsTerm('walked', term)} ORDER BY ${order} LIMIT ${size + 1})
    SELECT json_array((SELECT count(*) FROM walked), ${pageRowsJson}) ${pageRowsFrom}
    WHERE tickets.id IN (SELECT id FROM found) AND ${visibleTicketsWhere(scope)}`;
}

/** The ticket (a row of `alias` with id and contact_id) has a contact or a message holding the walkable term. */
function ticketHoldsTerm(alias: string, term: string): SQL {
  const ticket = sql.identifier(alias);
  return sql`(EXISTS (SELECT 1 FROM contacts c WHERE c.id = ${ticket}.contact_id AND ${rowHoldsTerm('contacts_search', sql`c.id`, [sql`c.name`, sql`c.phone`], term)})
    OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = ${ticket}.id AND ${rowHoldsTerm('messages_search', sql`m.id`, [sql`m.body`], term)}))`;
}

/** A searched tab (walkable term) counted by testing each of its tickets: in proportion to the tab, not to the term's matches. */
export function testedCountSql(scope: TicketScope, tab: TicketTab): SQL {
  const { search, ...unsearched } = tab;
  return sql`SELECT count(*) AS n FROM tickets WHERE ${or(...branchesOf(scope, tab))!}${tabFilter(unsearched)} AND ${ticketHoldsTerm('tickets', search!.trim())}`;
}

/** How many messages (of every account) hold the walkable term, counting no further than `atMost`. */
export function messageMatchesSql(term: string, atMost: number): SQL {
  return sql`SELECT count(*) AS n FROM (SELECT rowid FROM messages_search WHERE messages_search MATCH ${ftsPhraseOf(term)} LIMIT ${atMost})`;
}

/** Tickets among sql.placeholder('ids') (a JSON list) that the scope sees. */
export function visibleByIdsSql(scope: TicketScope): SQL {
  return sql`SELECT ${sql.raw(ticketColumns)} FROM tickets WHERE id IN (SELECT value FROM json_each(${sql.placeholder('ids')})) AND ${visibleTicketsWhere(scope)}`;
}

/** A filtered tab (search, since, assignee, channel) cannot use the count tables. */
export function filteredCountSql(scope: TicketScope, tab: TicketTab): SQL {
  return sql`SELECT count(*) AS n FROM tickets WHERE ${or(...branchesOf(scope, tab))!}${tabFilter(tab)}`;
}

export function sectorsCountSql(accountId: number, status: TicketStatus, sectorIds: readonly number[]): SQL {
  return sql`SELECT sum(n) AS n FROM ticket_counts WHERE account_id = ${accountId} AND status = ${status} AND sector_id IN (${sectorList(sectorIds)})`;
}

/**
 * WAITING per sector as the tab narrowed to each sector counts it: the whole sector where the scope
 * covers it, else only what is assigned to `assigneeId` there. Prefixes of the count table's keys.
 */
export function waitingBySectorSql(accountId: number, covered: readonly number[], others: readonly number[], assigneeId: number | null): SQL {
  const whole = sql`SELECT sector_id, sum(n) FROM ticket_counts WHERE account_id = ${accountId} AND status = 'WAITING' AND sector_id IN (${sectorList(covered)}) GROUP BY sector_id`;
  if (assigneeId === null || others.length === 0) return whole;
  return sql`${whole} UNION ALL SELECT sector_id, sum(n) FROM ticket_counts WHERE assignee_id = ${assigneeId} AND status = 'WAITING'
    AND account_id = ${accountId} AND sector_id IN (${sectorList(others)}) GROUP BY sector_id`;
}

/** Assigned to the user outside the given sectors: "mine" beyond what the sectors' count holds. */
export function assignedElsewhereCountSql(accountId: number, status: TicketStatus, sectorIds: readonly number[], assigneeId: number): SQL {
  return sql`SELECT sum(n) AS n FROM ticket_counts WHERE assignee_id = ${assigneeId} AND status = ${status}
            AND account_id = ${accountId} AND sector_id NOT IN (${sectorList(sectorIds)})`;
}

export function assignedCountSql(accountId: number, userId: number, status: TicketStatus, sectorId: number | undefined): SQL {
  const sector = sectorId === undefined ? sql`` : sql` AND sector_id = ${sectorId}`;
  return sql`SELECT sum(n) AS n FROM ticket_counts WHERE assignee_id = ${userId} AND status = ${status} AND account_id = ${accountId}${sector}`;
}

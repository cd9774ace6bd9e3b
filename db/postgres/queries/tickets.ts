import { and, desc, eq, inArray, isNull, sql, type Placeholder, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { countedSectorIds, visibleTicketsWhere } from '../scope.js';
import { channels, contacts, contactTags, messages, sectors, tickets, ticketTags, users } from '../tables/index.js';
import { publicUserColumns, viewerJson, viewerOfJson } from './users.js';
import { pageOfRows, searchWalkLength, tabRowFields } from '../../pages.js';
import type {
  Channel,
  ConsoleParts,
  Contact,
  Message,
  NewTicket,
  PageDirection,
  PageRelations,
  Sector,
  Ticket,
  TicketChanges,
  TicketCounts,
  TicketPage,
  TicketPageCursor,
  TicketPageOptions,
  TicketScope,
  TicketStatus,
  TicketTab,
  TicketView,
  TabRowReads,
  User,
} from '../../types.js';
import { anyId, idArray, sameId } from './ids.js';
import { namedRows, namedSelect } from '../named.js';
import { columnsNamed, jsonRowOf, rowDecoderOf } from './json-rows.js';
import { rowCountLiteral } from '../plan-literals.js';
import {
  accountTotalSql,
  assignedCountSql,
  assignedElsewhereCountSql,
  filteredCountSql,
  instant,
  isWalkableTerm,
  needsCounting,
  pageIdsSql,
  searchWalkSql,
  sectorsCountSql,
  tabIsEmpty,
  waitingBySectorSql,
} from './ticket-tabs.js';

/** A cursor row comparison on (last_activity_at, id): older rows forward, newer ones backward. */
function beyond(cursor: TicketPageCursor | undefined, direction: PageDirection): SQL | undefined {
  if (!cursor) return undefined;
  const at = sql`(${instant(cursor.lastActivityAt)}, ${cursor.id}::bigint)`;
  return direction === 'forward' ? sql`(${tickets.lastActivityAt}, ${tickets.id}) < ${at}` : sql`(${tickets.lastActivityAt}, ${tickets.id}) > ${at}`;
}

const byId = <Row extends { id: number }>(rows: readonly (Row | null)[]) => new Map(rows.filter((row): row is Row => row !== null).map((row) => [row.id, row]));

function relationsOf(contactRows: readonly (Contact | null)[], sectorRows: readonly (Sector | null)[], messageRows: readonly (Message | null)[]): PageRelations {
  const [contactsById, sectorsById, messagesById] = [byId(contactRows), byId(sectorRows), byId(messageRows)];
  return { contact: (id) => contactsById.get(id), sector: (id) => sectorsById.get(id), message: (id) => messagesById.get(id) };
}

/** A row as `jsonRowOf` renders it: its columns in order, or null for an absent outer-joined row. */
type JsonRow = unknown[] | null;
type PageRow = [ticket: JsonRow, contact: JsonRow, message: JsonRow];
type Tagged = [id: number, tag: string];
type PageResult = {
  page: PageRow[];
  sectors: JsonRow[] | null;
  total?: number | null;
  viewer?: unknown[] | null;
  assignees?: JsonRow[] | null;
  channels?: JsonRow[] | null;
  ticket_tags?: Tagged[] | null;
  contact_tags?: Tagged[] | null;
};
type CountRow = { n: number | null };

const ticketOfJson = rowDecoderOf<Ticket>(tickets);
const contactOfJson = rowDecoderOf<Contact>(contacts);
const sectorOfJson = rowDecoderOf<Sector>(sectors);
const messageOfJson = rowDecoderOf<Message>(messages);

const tabRowColumns = {
  ticket: columnsNamed(tickets, tabRowFields.ticket),
  contact: columnsNamed(contacts, tabRowFields.contact),
  message: columnsNamed(messages, tabRowFields.message),
};

/** What each of a tab row's parts is read as: its JSON rendering and the decoder of that rendering. */
const tabRowParts = {
  ticket: { whole: { json: jsonRowOf(tickets), decode: ticketOfJson }, tabRow: { json: jsonRowOf(tickets, tabRowColumns.ticket), decode: rowDecoderOf<Ticket>(tickets, tabRowColumns.ticket) } },
  contact: { whole: { json: jsonRowOf(contacts), decode: contactOfJson }, tabRow: { json: jsonRowOf(contacts, tabRowColumns.contact), decode: rowDecoderOf<Contact>(contacts, tabRowColumns.contact) } },
  message: { whole: { json: jsonRowOf(messages), decode: messageOfJson }, tabRow: { json: jsonRowOf(messages, tabRowColumns.message), decode: rowDecoderOf<Message>(messages, tabRowColumns.message) } },
};

const wholeRows: TabRowReads = { ticket: 'whole', contact: 'whole', message: 'whole' };

const assigneeOfJson = rowDecoderOf<User>(users, publicUserColumns);
const channelOfJson = rowDecoderOf<Channel>(channels);
const taggedInTagOrder = (table: typeof ticketTags | typeof contactTags, id: SQL) =>
  sql`(SELECT json_agg(json_build_array(${id}, ${table.tag}) ORDER BY ${table.tag} COLLATE "C") FROM ${table}`;

/**
 * What a console's row shows beyond the tab row, as columns beside the page (each only when asked): the
 * assignees and channels, and the tickets' and contacts' tags, each read once for the page, as its sectors
 * are, instead of a statement of its own per loader.
 */
function consolePartsSql(scope: TicketScope, parts: ConsoleParts | undefined): SQL {
  if (!parts) return sql``;
  const columns: SQL[] = [];
  if (parts.assignee) {
    columns.push(sql`(SELECT json_agg(${jsonRowOf(users, publicUserColumns)}) FROM ${users}
          WHERE ${users.accountId} = ${scope.accountId} AND ${users.id} = ANY(array_agg(DISTINCT ${tickets.assigneeId}))) AS assignees`);
  }
  if (parts.channel) {
    columns.push(sql`(SELECT json_agg(${jsonRowOf(channels)}) FROM ${channels}
          WHERE ${channels.accountId} = ${scope.accountId} AND ${channels.id} = ANY(array_agg(DISTINCT ${tickets.channelId}))) AS channels`);
  }
  if (parts.ticketTags) columns.push(sql`${taggedInTagOrder(ticketTags, sql`${ticketTags.ticketId}`)} WHERE ${ticketTags.ticketId} = ANY(array_agg(${tickets.id}))) AS ticket_tags`);
  if (parts.contactTags) columns.push(sql`${taggedInTagOrder(contactTags, sql`${contactTags.contactId}`)} WHERE ${contactTags.contactId} = ANY(array_agg(DISTINCT ${tickets.contactId}))) AS contact_tags`);
  return sql.join(columns.map((column) => sql`,
        ${column}`));
}

/** The console parts a page read (consolePartsSql), as relations beside its contacts, sectors and messages. */
function withConsoleParts(related: PageRelations, result: PageResult | undefined, parts: ConsoleParts | undefined): PageRelations {
  if (!parts) return related;
  const tagsById = (tagged: Tagged[] | null | undefined) => {
    const byOwner = new Map<number, string[]>();
    for (const [id, tag] of tagged ?? []) {
      const tags = byOwner.get(id);
      if (tags) tags.push(tag);
      else byOwner.set(id, [tag]);
    }
    return (id: number) => byOwner.get(id) ?? [];
  };
  if (parts.assignee) {
    const assignees = byId((result?.assignees ?? []).map(assigneeOfJson));
    related.assignee = (id) => assignees.get(id);
  }
  if (parts.channel) {
    const channelsById = byId((result?.channels ?? []).map(channelOfJson));
    related.channel = (id) => channelsById.get(id);
  }
  if (parts.ticketTags) related.ticketTags = tagsById(result?.ticket_tags);
  if (parts.contactTags) related.contactTags = tagsById(result?.contact_tags);
  return related;
}

/**
 * A tab page's rows in one statement: the tickets among `ids`, checked again by visibleTicketsWhere, with
 * what a tab row shows beside them (contact, last message; each joined only when read) and, once each,
 * their sectors: a page holds a few, so they are found by an aggregate over the page's own rows rather
 * than joined to every row. `extra` columns ride along (a count).
 */
function pageRowsSql(scope: TicketScope, ids: SQL, reads: TabRowReads, extra: SQL = sql``): SQL {
  const contact = reads.contact === 'none' ? null : tabRowParts.contact[reads.contact].json;
  const message = reads.message === 'none' ? null : tabRowParts.message[reads.message].json;
  return sql`SELECT coalesce(json_agg(json_build_array(${tabRowParts.ticket[reads.ticket].json}, ${contact ?? sql`NULL`}, ${message ?? sql`NULL`})
        ORDER BY ${tickets.lastActivityAt} DESC, ${tickets.id} DESC), '[]') AS page,
        (SELECT json_agg(${jsonRowOf(sectors)}) FROM ${sectors}
          WHERE ${sectors.accountId} = ${scope.accountId} AND ${sectors.id} = ANY(array_agg(DISTINCT ${tickets.sectorId}))) AS sectors${consolePartsSql(scope, reads.consoleParts)}${extra}
      FROM ${tickets}${contact ? sql`
      LEFT JOIN ${contacts} ON ${contacts.id} = ${tickets.contactId} AND ${contacts.accountId} = ${tickets.accountId}` : sql``}${message ? sql`
      LEFT JOIN ${messages} ON ${messages.id} = ${tickets.lastMessageId} AND ${messages.ticketId} = ${tickets.id} AND ${messages.accountId} = ${tickets.accountId}` : sql``}
      WHERE ${tickets.id} IN (${ids}) AND ${visibleTicketsWhere(scope)}`;
}

/** Sum of the count table over (status, sectors) plus assigned-to-me outside those sectors, as an expression. */
function fromTable(accountId: number, status: TicketStatus, sectorIds: readonly number[] | 'all', assigneeId: number | null): SQL {
  if (sectorIds === 'all') return accountTotalSql(accountId, status);
  const sectorsPart = sectorsCountSql(accountId, status, sectorIds);
  if (assigneeId === null) return sectorsPart;
  return sql`${sectorsPart} + ${assignedElsewhereCountSql(accountId, status, sectorIds, assigneeId)}`;
}

function assigned(accountId: number, userId: number | null, status: TicketStatus, sectorId?: number): SQL {
  return userId === null ? sql`0` : assignedCountSql(accountId, userId, status, sectorId);
}

/** The tab's count as a count-table expression; null when a search or filter narrows it (counted from the tickets). */
function tabCountExpression(scope: TicketScope, tab: TicketTab): SQL | null {
  if (needsCounting(tab)) return null;
  if (tab.assignedOnly) return assigned(scope.accountId, scope.userId, tab.status, tab.sectorId);
  if (scope.kind === 'account') return fromTable(scope.accountId, tab.status, tab.sectorId === undefined ? 'all' : [tab.sectorId], null);
  if (tab.sectorId !== undefined) {
    // My sector: all of it; another: only what is assigned to me there.
    if (scope.sectorIds.includes(tab.sectorId)) return fromTable(scope.accountId, tab.status, [tab.sectorId], null);
    return assigned(scope.accountId, scope.userId, tab.status, tab.sectorId);
  }
  return fromTable(scope.accountId, tab.status, countedSectorIds(scope, tab.status), scope.userId);
}

/** A tab's count from the count tables (a tab no search or filter narrows). */
function tabCountSql(scope: TicketScope, tab: TicketTab): SQL {
  return sql`SELECT ${tabCountExpression(scope, tab)} AS n`;
}

/** tabCountsSql beside the user of the placeholder `userId`. */
function tabCountsReadingUserSql(scope: TicketScope): SQL {
  return sql`${tabCountsSql(scope)}, ${viewerColumn(sql.placeholder('userId'))}`;
}

/** The three tab counts: WAITING and CLOSED as visible, OPEN = assigned to me. */
function tabCountsSql(scope: TicketScope): SQL {
  const sectorIds = (status: TicketStatus) => (scope.kind === 'account' ? 'all' : countedSectorIds(scope, status));
  const me = scope.kind === 'agent' ? scope.userId : null;
  return sql`SELECT ${fromTable(scope.accountId, 'WAITING', sectorIds('WAITING'), me)} AS waiting, ${assigned(scope.accountId, scope.userId, 'OPEN')} AS open,
    ${fromTable(scope.accountId, 'CLOSED', sectorIds('CLOSED'), me)} AS closed`;
}

/** A user's OPEN tickets, from the count tables. */
function openCountSql(accountId: number, userId: number): SQL {
  return sql`SELECT ${assigned(accountId, userId, 'OPEN')} AS n`;
}

/** A tab page no search or filter narrows, with its count when asked for. */
function tabPageSql(scope: TicketScope, tab: TicketTab, size: number, cursor: TicketPageCursor | undefined, direction: PageDirection, reads: TabRowReads, withTotal: boolean, readingUser: boolean): SQL {
  const total = withTotal ? sql`, ${tabCountExpression(scope, tab)} AS total` : sql``;
  return pageRowsSql(scope, pageIdsSql(scope, tab, size, cursor, direction), reads, readingUser ? sql`${total}, ${viewerColumn(sql.placeholder('userId'))}` : total);
}

/**
 * ticket(id) in one statement (the id a placeholder): the ticket with its contact and sector, and its newest
 * messages as a JSON array (messages_ticket walked backwards, size + 1 rows to tell whether more follow).
 */
function ticketViewSql(scope: TicketScope, messagesSize: number | null): SQL {
  const newest =
    messagesSize === null
      ? sql`NULL::json`
      : sql`(SELECT coalesce(json_agg(${jsonRowOf(messages)} ORDER BY ${messages.id} DESC), '[]')
          FROM (SELECT * FROM ${messages} WHERE ${messages.ticketId} = ${tickets.id} ORDER BY ${messages.id} DESC LIMIT ${rowCountLiteral(messagesSize + 1)}) AS ${messages})`;
  return sql`SELECT json_build_array(${jsonRowOf(tickets)}, ${jsonRowOf(contacts)}, ${jsonRowOf(sectors)}, ${newest}) AS view
    FROM ${tickets}
    LEFT JOIN ${contacts} ON ${contacts.id} = ${tickets.contactId} AND ${contacts.accountId} = ${tickets.accountId}
    LEFT JOIN ${sectors} ON ${sectors.id} = ${tickets.sectorId} AND ${sectors.accountId} = ${tickets.accountId}
    WHERE ${sameId(tickets.id, sql.placeholder('id'))} AND ${visibleTicketsWhere(scope)}`;
}

/** The user `userId` as users.withSectors reads them, as a column of another read: one statement, one snapshot. */
const viewerColumn = (userId: number | Placeholder) => sql`(SELECT ${viewerJson} FROM ${users} WHERE ${sameId(users.id, userId)}) AS viewer`;

/** ticketViewSql beside the user of the placeholder `userId` (a row even when the ticket is missing or invisible). */
function ticketViewReadingUserSql(scope: TicketScope, messagesSize: number | null): SQL {
  return sql`SELECT ${viewerColumn(sql.placeholder('userId'))}, ticket.view
    FROM (SELECT 1) AS one LEFT JOIN LATERAL (${ticketViewSql(scope, messagesSize)}) AS ticket ON true`;
}

/** More than agents of one sector take at the same moment: a racer finding every candidate held is told the queues are empty. */
const headsReadPerSector = 32;

type ViewJson = [JsonRow, JsonRow, JsonRow, JsonRow[] | null];

function viewOfJson([ticket, contact, sector, newestRows]: ViewJson, messagesSize: number | null): TicketView {
  const read = (newestRows ?? []).map((message) => messageOfJson(message)!);
  const related = relationsOf([contactOfJson(contact)], [sectorOfJson(sector)], read);
  const view: TicketView = { ticket: ticketOfJson(ticket)!, related };
  if (messagesSize !== null) view.messages = { messages: read.slice(0, messagesSize), hasMore: read.length > messagesSize };
  return view;
}

export function ticketQueries(db: PgDb) {
  // Where every ingested message goes: compiled once per connection.
  const liveTicketOf = db
    .select()
    .from(tickets)
    .where(
      and(
        eq(tickets.contactId, sql.placeholder('contactId')),
        eq(tickets.channelId, sql.placeholder('channelId')),
        inArray(tickets.status, ['WAITING', 'OPEN']),
        eq(tickets.accountId, sql.placeholder('accountId')),
      ),
    )
    .limit(1)
    .prepare('live_ticket_of');

  async function countOf(query: SQL): Promise<number> {
    const { rows } = await db.execute<{ n: number | null }>(query);
    return rows[0]?.n ?? 0;
  }

  async function byIdsInScope(scope: TicketScope, ids: readonly number[]): Promise<Ticket[]> {
    if (ids.length === 0) return [];
    return namedSelect(
      db
        .select()
        .from(tickets)
        .where(and(anyId(tickets.id, ids), visibleTicketsWhere(scope))),
    );
  }


  /** A searched page by walking the tab, or null when the walk did not decide it (too few found before the walk's end). */
  async function walkedPage(args: Parameters<typeof searchWalkSql>, reads: TabRowReads, viewer: SQL): Promise<PageResult | null> {
    const query = sql`${searchWalkSql(...args)}${pageRowsSql(args[0], sql`SELECT id FROM found`, reads, sql`, (SELECT count(*) FROM walked)::int AS walked${viewer}`)}`;
    const [result] = (await db.execute<PageResult & { walked: number }>(query)).rows;
    return result && (result.page.length > args[2] || result.walked < searchWalkLength) ? result : null;
  }

  /**
   * A tab page, newest activity first (id breaks ties), reading at most first+1 entries per branch:
   * one statement with what a tab row shows beside its ticket (contact, sector, last message), and the
   * user `userId` when given.
   */
  async function readPage(scope: TicketScope, tab: TicketTab, size: number, cursor: TicketPageCursor | undefined, direction: PageDirection, options: TicketPageOptions, userId?: number) {
    if (tabIsEmpty(scope, tab)) {
      const page: TicketPage = options.withTotal ? { tickets: [], hasMore: false, total: 0 } : { tickets: [], hasMore: false };
      const viewer = userId === undefined ? null : (await db.execute<PageResult>(sql`SELECT ${viewerColumn(userId)}`)).rows[0]?.viewer;
      return { page, viewer };
    }
    // totalCount asked: the count tables' sum rides along as a column (a filtered tab keeps its own count).
    const withTotal = Boolean(options.withTotal) && !needsCounting(tab);
    const args: Parameters<typeof pageIdsSql> = [scope, tab, size, cursor, direction];
    const reads = options.reads ?? wholeRows;
    const viewer = userId === undefined ? sql`` : sql`, ${viewerColumn(userId)}`;
    // A search or filter plans best with its own values (a trigram pattern, a period): left unnamed.
    const result = (tab.search && isWalkableTerm(tab.search.trim()) ? await walkedPage(args, reads, viewer) : null) ??
      (needsCounting(tab)
        ? (await db.execute<PageResult>(pageRowsSql(scope, pageIdsSql(...args), reads, viewer))).rows[0]
        : ((await namedRows(db, tabPageSql, [scope, tab, size, cursor, direction, reads, withTotal, userId !== undefined], { userId })) as PageResult[])[0]);
    const ticketOf = tabRowParts.ticket[reads.ticket].decode;
    const contactOf = reads.contact === 'none' ? () => null : tabRowParts.contact[reads.contact].decode;
    const messageOf = reads.message === 'none' ? () => null : tabRowParts.message[reads.message].decode;
    const rows = (result?.page ?? []).map(([ticket, contact, message]) => ({ ticket: ticketOf(ticket)!, contact: contactOf(contact), message: messageOf(message) }));
    // Backward, the extra row read is the newest: the page is the `size` rows nearest the cursor.
    const inPage = direction === 'forward' ? rows.slice(0, size) : rows.slice(Math.max(0, rows.length - size));
    const page: TicketPage = { tickets: inPage.map((row) => row.ticket), hasMore: rows.length > size, related: withConsoleParts(relationsOf(rows.map((row) => row.contact), (result?.sectors ?? []).map(sectorOfJson), rows.map((row) => row.message)), result, reads.consoleParts) };
    if (withTotal) page.total = result?.total ?? 0;
    return { page, viewer: result?.viewer };
  }

  return {
    byIdsInScope,

    /** One ticket by `id = $1`, not a one-element ANY: PostgreSQL keeps no generic plan for an array of unknown length. */
    async byIdInScope(scope: TicketScope, id: number): Promise<Ticket | null> {
      const [row] = await namedSelect(
        db
          .select()
          .from(tickets)
          .where(and(sameId(tickets.id, id), visibleTicketsWhere(scope))),
      );
      return row ?? null;
    },

    /** ticket(id) in one statement (ticketViewSql). */
    async viewInScope(scope: TicketScope, id: number, messagesSize: number | null): Promise<TicketView | null> {
      const [row] = (await namedRows(db, ticketViewSql, [scope, messagesSize], { id })) as { view: ViewJson }[];
      return row ? viewOfJson(row.view, messagesSize) : null;
    },

    async viewInScopeReadingUser(scope: TicketScope, id: number, messagesSize: number | null, userId: number) {
      const [row] = (await namedRows(db, ticketViewReadingUserSql, [scope, messagesSize], { id, userId })) as { viewer: unknown[] | null; view: ViewJson | null }[];
      return { answer: row?.view ? viewOfJson(row.view, messagesSize) : null, user: viewerOfJson(row?.viewer ?? null) };
    },

    async page(scope: TicketScope, tab: TicketTab, size: number, cursor?: TicketPageCursor, direction: PageDirection = 'forward', options: TicketPageOptions = {}): Promise<TicketPage> {
      return (await readPage(scope, tab, size, cursor, direction, options)).page;
    },

    async pageReadingUser(userId: number, scope: TicketScope, tab: TicketTab, size: number, cursor?: TicketPageCursor, direction: PageDirection = 'forward', options: TicketPageOptions = {}) {
      const { page, viewer } = await readPage(scope, tab, size, cursor, direction, options, userId);
      return { answer: page, user: viewerOfJson(viewer ?? null) };
    },

    /** How many tickets the tab holds; from the count tables unless a search or filter narrows it. */
    async count(scope: TicketScope, tab: TicketTab): Promise<number> {
      if (!needsCounting(tab)) return ((await namedRows(db, tabCountSql, [scope, tab])) as CountRow[])[0]?.n ?? 0;
      if (tabIsEmpty(scope, tab)) return 0;
      return countOf(filteredCountSql(scope, tab));
    },

    /** The three tab counts: WAITING and CLOSED as visible, OPEN = assigned to me. */
    async tabCounts(scope: TicketScope): Promise<TicketCounts> {
      const rows = (await namedRows(db, tabCountsSql, [scope])) as TicketCounts[];
      return { waiting: rows[0]!.waiting, open: rows[0]!.open, closed: rows[0]!.closed };
    },

    async tabCountsReadingUser(scope: TicketScope, userId: number) {
      const [row] = (await namedRows(db, tabCountsReadingUserSql, [scope], { userId })) as (TicketCounts & { viewer: unknown[] | null })[];
      return { answer: { waiting: row!.waiting, open: row!.open, closed: row!.closed }, user: viewerOfJson(row!.viewer) };
    },

    async waitingBySector(scope: TicketScope, sectorIds: readonly number[]): Promise<Map<number, number>> {
      if (sectorIds.length === 0) return new Map();
      const ids = [...new Set(sectorIds)].sort((a, b) => a - b);
      const covered = scope.kind === 'account' ? ids : ids.filter((id) => scope.sectorIds.includes(id));
      const others = ids.filter((id) => !covered.includes(id));
      const { rows } = await db.execute<{ sector_id: number; n: number | null }>(
        waitingBySectorSql(scope.accountId, covered, others, scope.kind === 'agent' ? scope.userId : null),
      );
      return new Map(rows.map((row) => [row.sector_id, row.n ?? 0]));
    },

    /** Open tickets (OPEN) assigned to a user, for the max-concurrent check. */
    async openCountOf(accountId: number, userId: number): Promise<number> {
      return ((await namedRows(db, openCountSql, [accountId, userId])) as CountRow[])[0]?.n ?? 0;
    },

    /** The contact's tickets the scope may see, newest activity first. */
    async ofContact(scope: TicketScope, contactId: number, size: number, cursor?: TicketPageCursor, direction: PageDirection = 'forward'): Promise<TicketPage> {
      // As the tickets_contact index is ordered (DESC NULLS LAST), so the walk needs no sort.
      const order = (column: SQLWrapper) => (direction === 'forward' ? sql`${column} DESC NULLS LAST` : sql`${column} ASC NULLS FIRST`);
      const rows = await db
        .select()
        .from(tickets)
        .where(and(sameId(tickets.contactId, contactId), visibleTicketsWhere(scope), beyond(cursor, direction)))
        .orderBy(order(tickets.lastActivityAt), order(tickets.id))
        .limit(size + 1);
      const page = pageOfRows(rows, size, direction);
      return { tickets: page.rows, hasMore: page.hasMore };
    },

    async countOfContact(scope: TicketScope, contactId: number): Promise<number> {
      return countOf(sql`SELECT count(*) AS n FROM ${tickets} WHERE ${sameId(tickets.contactId, contactId)} AND ${visibleTicketsWhere(scope)}`);
    },

    /**
     * The oldest waiting ticket of the sectors (queue order) that no other writer holds, locked until this
     * transaction ends; null when none. Agents taking at the same moment each get their own ticket (SKIP
     * LOCKED) instead of all reading one head and all but one losing it; a head taken and committed
     * meanwhile fails the status check and is passed over. WAITING tickets always carry queued_at (set on
     * entering a queue), so PostgreSQL's NULLS LAST never orders differently from SQLite here.
     */
    async oldestWaiting(accountId: number, sectorIds: readonly number[]): Promise<Ticket | null> {
      if (sectorIds.length === 0) return null;
      // The first few of each sector's queue (an index range each): what racers holding heads leave to take.
      const candidates = sql`SELECT head.id FROM unnest(${idArray([...new Set(sectorIds)])}) AS queue(sector_id)
        CROSS JOIN LATERAL (SELECT id FROM tickets WHERE status = 'WAITING' AND sector_id = queue.sector_id ORDER BY queued_at, id LIMIT ${headsReadPerSector}) AS head`;
      const [ticket] = await db
        .select()
        .from(tickets)
        .where(and(sql`${tickets.id} IN (${candidates})`, eq(tickets.status, 'WAITING'), eq(tickets.accountId, accountId)))
        .orderBy(tickets.queuedAt, tickets.id)
        .limit(1)
        .for('update', { skipLocked: true });
      return ticket ?? null;
    },

    /** The contact's live (WAITING or OPEN) ticket on a channel: where new messages go. */
    async liveOf(accountId: number, contactId: number, channelId: number): Promise<Ticket | null> {
      const [ticket] = await liveTicketOf.execute({ contactId, channelId, accountId });
      return ticket ?? null;
    },

    async insert(ticket: NewTicket, protocol: number): Promise<Ticket> {
      const [row] = await db.insert(tickets).values({ ...ticket, protocol }).returning();
      return row!;
    },

    /**
     * A conditional write: changes the ticket only while it is still in `expected` state. Under READ
     * COMMITTED a racer blocked on the row re-checks the WHERE against the winner's committed row and
     * updates nothing, so of N racers one gets the ticket. Null when the state moved on.
     */
    async transition(id: number, expected: { status: TicketStatus; assigneeId?: number | null }, changes: TicketChanges): Promise<Ticket | null> {
      const assignee =
        expected.assigneeId === undefined ? undefined : expected.assigneeId === null ? isNull(tickets.assigneeId) : eq(tickets.assigneeId, expected.assigneeId);
      const [row] = await db
        .update(tickets)
        .set(changes)
        .where(and(eq(tickets.id, id), eq(tickets.status, expected.status), assignee))
        .returning();
      return row ?? null;
    },

    async update(id: number, changes: TicketChanges): Promise<Ticket> {
      const [row] = await db.update(tickets).set(changes).where(eq(tickets.id, id)).returning();
      return row!;
    },

    /** Tags of many tickets in one statement, in byte order of the tag as SQLite sorts them. */
    async tagsOf(ticketIds: readonly number[]): Promise<Map<number, string[]>> {
      const byTicket = new Map<number, string[]>(ticketIds.map((id) => [id, []]));
      if (ticketIds.length === 0) return byTicket;
      const rows = await namedSelect(
        db
          .select({ ticketId: ticketTags.ticketId, tag: ticketTags.tag })
          .from(ticketTags)
          .where(anyId(ticketTags.ticketId, ticketIds))
          .orderBy(sql`${ticketTags.tag} COLLATE "C"`),
      );
      for (const row of rows) byTicket.get(row.ticketId)?.push(row.tag);
      return byTicket;
    },

    async replaceTags(ticketId: number, tags: readonly string[]): Promise<void> {
      await db.delete(ticketTags).where(eq(ticketTags.ticketId, ticketId));
      if (tags.length > 0) await db.insert(ticketTags).values(tags.map((tag) => ({ ticketId, tag })));
    },
  };
}

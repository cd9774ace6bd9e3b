import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { hotReads } from '../hot-reads.js';
import { pageOfRows, readOrder, searchWalkLength } from '../../pages.js';
import { idList, preparedOn } from '../prepared.js';
import { contactOf, messageOf, sectorOf, ticketColumns, ticketOf } from '../rows.js';
import { countedSectorIds, visibleTicketsWhere } from '../scope.js';
import { accounts, tickets, ticketTags } from '../tables/index.js';
import type { Contact, Message, NewTicket, PageRelations, Sector, Ticket, TicketChanges, TicketCounts, PageDirection, TicketPage, TicketPageCursor, TicketScope, TicketStatus, TicketTab, TicketView } from '../../types.js';
import {
  assignedCountSql,
  assignedElsewhereCountSql,
  filteredCountSql,
  messageMatchesSql,
  needsCounting,
  pageColumns,
  pageSql,
  searchWalkSql,
  sectorsCountSql,
  tabIsEmpty,
  testedCountSql,
  visibleByIdsSql,
  waitingBySectorSql,
} from './ticket-tabs.js';
import { isWalkableTerm } from './search-terms.js';
import { userQueries } from './users.js';

/** Rows keyed by the id at `offset`; the columns from there decoded once, when first asked for. */
function lookup<T>(rows: unknown[][], offset: number, width: number, decode: (row: unknown[]) => T): (id: number) => T | undefined {
  const raw = new Map<number, unknown[]>();
  for (const row of rows) if (row[offset] !== null) raw.set(row[offset] as number, row);
  const decoded = new Map<number, T>();
  return (id) => {
    let found = decoded.get(id);
    if (found === undefined) {
      const row = raw.get(id);
      if (row === undefined) return undefined;
      decoded.set(id, (found = decode(row.slice(offset, offset + width))));
    }
    return found;
  };
}

// Newest activity first, id breaking ties: the order of pageIdsSql, on rows in ticketColumns order.
const lastActivity = ticketColumns.split(', ').indexOf('last_activity_at');
const byRecency = (a: unknown[], b: unknown[]) => (b[lastActivity] as number) - (a[lastActivity] as number) || (b[0] as number) - (a[0] as number);

const [ticketWidth, contactWidth, sectorWidth, messageWidth] = pageColumns as [number, number, number, number];
function relationsOf(rows: unknown[][]): PageRelations {
  return {
    contact: lookup(rows, ticketWidth, contactWidth, contactOf),
    sector: lookup(rows, ticketWidth + contactWidth, sectorWidth, sectorOf),
    message: lookup(rows, ticketWidth + contactWidth + sectorWidth, messageWidth, messageOf),
  };
}

// Ids, statuses and counts of our own: written into the SQL text (see Binding.inline).
const inline = { inline: true };

export function ticketQueries(db: SqliteDb) {
  const users = userQueries(db);
  const prepared = preparedOn(db);
  async function byIdsInScope(scope: TicketScope, ids: readonly number[]): Promise<Ticket[]> {
    if (ids.length === 0) return [];
    return prepared.rowsOf(visibleByIdsSql, [scope], { values: { ids: idList(ids) }, inline: true }).map(ticketOf);
  }

  /** Sum of the count table over (status, sectors) plus assigned-to-me outside those sectors. */
  function countFromTable(accountId: number, status: TicketStatus, sectorIds: readonly number[] | 'all', assigneeId: number | null): number {
    if (sectorIds === 'all') return prepared.count(hotReads.accountTicketTotal, accountId, status);
    const sectorsPart = prepared.countOf(sectorsCountSql, [accountId, status, sectorIds], inline);
    if (assigneeId === null) return sectorsPart;
    return sectorsPart + prepared.countOf(assignedElsewhereCountSql, [accountId, status, sectorIds, assigneeId], inline);
  }

  function countAssigned(accountId: number, userId: number | null, status: TicketStatus, sectorId?: number): number {
    if (userId === null) return 0;
    return prepared.countOf(assignedCountSql, [accountId, userId, status, sectorId], inline);
  }

  /** A searched page by walking the tab, or null when the walk did not decide it (too few found before the walk's end). */
  function walkedPage(args: Parameters<typeof searchWalkSql>): unknown[][] | null {
    const [walked, rows] = prepared.jsonOf(searchWalkSql, args) as [number, unknown[][]];
    return rows.length > args[2] || walked < searchWalkLength ? rows : null;
  }

  /** An unfiltered tab's count, from the count tables. */
  function tabTotal(scope: TicketScope, tab: TicketTab): number {
    if (tab.assignedOnly) return countAssigned(scope.accountId, scope.userId, tab.status, tab.sectorId);
    if (scope.kind === 'account') {
      return countFromTable(scope.accountId, tab.status, tab.sectorId === undefined ? 'all' : [tab.sectorId], null);
    }
    if (tab.sectorId !== undefined) {
      const sectors = scope.sectorIds.includes(tab.sectorId) ? [tab.sectorId] : [];
      return countFromTable(scope.accountId, tab.status, sectors, null) + (sectors.length ? 0 : countAssigned(scope.accountId, scope.userId, tab.status, tab.sectorId));
    }
    return countFromTable(scope.accountId, tab.status, countedSectorIds(scope, tab.status), scope.userId);
  }

  // Testing one ticket of a tab (its contact and messages) costs about what reading eight of a term's
  // matches through the trigram index does: bench/RESULTS.md, "Searched tabs at 1,000,000 tickets".
  const matchesPerTest = 8;

  /**
   * Whether the walkable term is common enough in messages that testing each ticket of the tab costs less
   * than reading its matches through the index. The matches are counted no further than that tells.
   */
  function termIsCommonIn(scope: TicketScope, tab: TicketTab): boolean {
    const tested = tabTotal(scope, { status: tab.status, assignedOnly: tab.assignedOnly, ...(tab.sectorId === undefined ? {} : { sectorId: tab.sectorId }) });
    const enough = tested * matchesPerTest;
    return prepared.countOf(messageMatchesSql, [tab.search!.trim(), enough]) >= enough;
  }

  async function viewInScope(scope: TicketScope, id: number, messagesSize: number | null): Promise<TicketView | null> {
    const [ticket] = await byIdsInScope(scope, [id]);
    if (!ticket) return null;
    const contact: Contact | undefined = prepared.rows(hotReads.contactsByIds, ticket.accountId, idList([ticket.contactId])).map(contactOf)[0];
    const sector: Sector | undefined = ticket.sectorId === null ? undefined : prepared.rows(hotReads.sectorById, ticket.sectorId, ticket.accountId).map(sectorOf)[0];
    const read: Message[] = messagesSize === null ? [] : prepared.rows(hotReads.messagesOfTicket, ticket.id, messagesSize + 1).map(messageOf);
    const related: PageRelations = {
      contact: (contactId) => (contact?.id === contactId ? contact : undefined),
      sector: (sectorId) => (sector?.id === sectorId ? sector : undefined),
      message: (messageId) => read.find((message) => message.id === messageId),
    };
    const view: TicketView = { ticket, related };
    if (messagesSize !== null) view.messages = { messages: read.slice(0, messagesSize), hasMore: read.length > messagesSize };
    return view;
  }

  const queries = {
    byIdsInScope,

    async byIdInScope(scope: TicketScope, id: number): Promise<Ticket | null> {
      return (await byIdsInScope(scope, [id]))[0] ?? null;
    },

    /** ticket(id): the ticket, then its contact, sector and newest messages (statements are cheap in process). */
    viewInScope,

    // The *ReadingUser reads: the user first, as authenticate reads them, then the read (one process, no round trips to save).

    async viewInScopeReadingUser(scope: TicketScope, id: number, messagesSize: number | null, userId: number) {
      const user = await users.withSectors(userId);
      return { answer: await viewInScope(scope, id, messagesSize), user };
    },

    async pageReadingUser(userId: number, scope: TicketScope, tab: TicketTab, size: number, cursor?: TicketPageCursor, direction: PageDirection = 'forward') {
      const user = await users.withSectors(userId);
      return { answer: await queries.page(scope, tab, size, cursor, direction), user };
    },

    async tabCountsReadingUser(scope: TicketScope, userId: number) {
      const user = await users.withSectors(userId);
      return { answer: await queries.tabCounts(scope), user };
    },

    /** A tab page, newest activity first (id breaks ties), reading at most first+1 entries per branch. */
    async page(scope: TicketScope, tab: TicketTab, size: number, cursor?: TicketPageCursor, direction: PageDirection = 'forward'): Promise<TicketPage> {
      if (tabIsEmpty(scope, tab)) return { tickets: [], hasMore: false };
      const args: Parameters<typeof pageSql> = direction === 'forward' ? [scope, tab, size, cursor] : [scope, tab, size, cursor, direction];
      const rows = (tab.search && isWalkableTerm(tab.search.trim()) ? walkedPage(args) : null) ?? (prepared.jsonOf(pageSql, args, { inline: !tab.search }) as unknown[][]);
      rows.sort(byRecency);
      // Backward, the extra row read is the newest: the page is the `size` rows nearest the cursor.
      const inPage = direction === 'forward' ? rows.slice(0, size) : rows.slice(Math.max(0, rows.length - size));
      return { tickets: inPage.map((row) => ticketOf(row)), hasMore: rows.length > size, related: relationsOf(rows) };
    },

    /** How many tickets the tab holds; from the count tables unless a search or filter narrows it. */
    async count(scope: TicketScope, tab: TicketTab): Promise<number> {
      if (needsCounting(tab)) {
        if (tabIsEmpty(scope, tab)) return 0;
        if (tab.search && isWalkableTerm(tab.search.trim()) && termIsCommonIn(scope, tab)) return prepared.countOf(testedCountSql, [scope, tab]);
        return prepared.countOf(filteredCountSql, [scope, tab], { inline: !tab.search });
      }
      return tabTotal(scope, tab);
    },

    /** The three tab counts: WAITING and CLOSED as visible, OPEN = assigned to me. */
    async tabCounts(scope: TicketScope): Promise<TicketCounts> {
      const sectors = (status: TicketStatus) => (scope.kind === 'account' ? 'all' : countedSectorIds(scope, status));
      const me = scope.kind === 'agent' ? scope.userId : null;
      return {
        waiting: countFromTable(scope.accountId, 'WAITING', sectors('WAITING'), me),
        open: countAssigned(scope.accountId, scope.userId, 'OPEN'),
        closed: countFromTable(scope.accountId, 'CLOSED', sectors('CLOSED'), me),
      };
    },

    async waitingBySector(scope: TicketScope, sectorIds: readonly number[]): Promise<Map<number, number>> {
      if (sectorIds.length === 0) return new Map();
      const ids = [...new Set(sectorIds)].sort((a, b) => a - b);
      const covered = scope.kind === 'account' ? ids : ids.filter((id) => scope.sectorIds.includes(id));
      const others = ids.filter((id) => !covered.includes(id));
      const rows = prepared.rowsOf(waitingBySectorSql, [scope.accountId, covered, others, scope.kind === 'agent' ? scope.userId : null], inline);
      return new Map(rows.map(([sectorId, n]) => [sectorId as number, (n as number | null) ?? 0]));
    },

    /** Open tickets (OPEN) assigned to a user, for the max-concurrent check. */
    async openCountOf(accountId: number, userId: number): Promise<number> {
      return countAssigned(accountId, userId, 'OPEN');
    },

    /** The contact's tickets the scope may see, newest activity first. */
    async ofContact(scope: TicketScope, contactId: number, size: number, cursor?: TicketPageCursor, direction: PageDirection = 'forward'): Promise<TicketPage> {
      const order = readOrder(direction);
      const rows = db
        .select()
        .from(tickets)
        .where(
          and(
            eq(tickets.contactId, contactId),
            visibleTicketsWhere(scope),
            cursor ? sql`(${tickets.lastActivityAt}, ${tickets.id}) ${sql.raw(direction === 'forward' ? '<' : '>')} (${cursor.lastActivityAt}, ${cursor.id})` : undefined,
          ),
        )
        .orderBy(order(tickets.lastActivityAt), order(tickets.id))
        .limit(size + 1)
        .all();
      const page = pageOfRows(rows, size, direction);
      return { tickets: page.rows, hasMore: page.hasMore };
    },

    async countOfContact(scope: TicketScope, contactId: number): Promise<number> {
      return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM tickets WHERE contact_id = ${contactId} AND ${visibleTicketsWhere(scope)}`)?.n ?? 0;
    },

    /** The oldest waiting ticket of the sectors (queue order), or null. */
    async oldestWaiting(accountId: number, sectorIds: readonly number[]): Promise<Ticket | null> {
      if (sectorIds.length === 0) return null;
      const heads = sectorIds.map(
        (id) => sql`SELECT * FROM (SELECT id, queued_at FROM tickets WHERE status = 'WAITING' AND sector_id = ${id} ORDER BY queued_at, id LIMIT 1)`,
      );
      const head = db.get<{ id: number }>(sql`SELECT id FROM (${sql.join(heads, sql` UNION ALL `)}) ORDER BY queued_at, id LIMIT 1`);
      if (!head) return null;
      return db.select().from(tickets).where(and(eq(tickets.id, head.id), eq(tickets.accountId, accountId))).get() ?? null;
    },

    /** The contact's live (WAITING or OPEN) ticket on a channel: where new messages go. */
    async liveOf(accountId: number, contactId: number, channelId: number): Promise<Ticket | null> {
      return (
        db
          .select()
          .from(tickets)
          .where(and(eq(tickets.contactId, contactId), eq(tickets.channelId, channelId), inArray(tickets.status, ['WAITING', 'OPEN']), eq(tickets.accountId, accountId)))
          .get() ?? null
      );
    },

    async nextProtocol(accountId: number): Promise<number> {
      const row = db
        .update(accounts)
        .set({ ticketSequence: sql`${accounts.ticketSequence} + 1` })
        .where(eq(accounts.id, accountId))
        .returning({ protocol: accounts.ticketSequence })
        .get();
      return row!.protocol;
    },

    async insert(ticket: NewTicket, protocol: number): Promise<Ticket> {
      return db.insert(tickets).values({ ...ticket, protocol }).returning().get();
    },

    /**
     * A conditional write: changes the ticket only while it is still in `expected` state, so two
     * racing transitions cannot both apply (also on PostgreSQL). Null when the state moved on.
     */
    async transition(
      id: number,
      expected: { status: TicketStatus; assigneeId?: number | null },
      changes: TicketChanges,
    ): Promise<Ticket | null> {
      const assignee =
        expected.assigneeId === undefined ? undefined : expected.assigneeId === null ? isNull(tickets.assigneeId) : eq(tickets.assigneeId, expected.assigneeId);
      return (
        db
          .update(tickets)
          .set(changes)
          .where(and(eq(tickets.id, id), eq(tickets.status, expected.status), assignee))
          .returning()
          .get() ?? null
      );
    },

    async update(id: number, changes: TicketChanges): Promise<Ticket> {
      return db.update(tickets).set(changes).where(eq(tickets.id, id)).returning().get();
    },

    async tagsOf(ticketIds: readonly number[]): Promise<Map<number, string[]>> {
      const byTicket = new Map<number, string[]>(ticketIds.map((id) => [id, []]));
      if (ticketIds.length === 0) return byTicket;
      const rows = prepared.rows(hotReads.tagsOfTickets, idList(ticketIds));
      for (const [ticketId, tag] of rows) byTicket.get(ticketId as number)?.push(tag as string);
      return byTicket;
    },

    async replaceTags(ticketId: number, tags: readonly string[]): Promise<void> {
      db.delete(ticketTags).where(eq(ticketTags.ticketId, ticketId)).run();
      if (tags.length > 0) db.insert(ticketTags).values(tags.map((tag) => ({ ticketId, tag }))).run();
    },

  };
  return queries;
}

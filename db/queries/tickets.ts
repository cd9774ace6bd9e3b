import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { assignedTicketsWhere, sectorList, visibleTicketBranches, visibleTicketsWhere } from '../scope.js';
import { accounts, tickets, ticketTags } from '../tables/index.js';
import type { Ticket, TicketCounts, TicketPageCursor, TicketScope, TicketStatus } from '../types.js';

export interface TicketTab {
  status: TicketStatus;
  /** Only tickets assigned to the viewer (the OPEN tab); otherwise every visible one. */
  assignedOnly: boolean;
  sectorId?: number | undefined;
  /** Matches contact name or phone, or message text. */
  search?: string | undefined;
  /** Only tickets with activity since then (for CLOSED: closed since then, as closing is the last activity). */
  since?: Date | undefined;
  assigneeId?: number | undefined;
  channelId?: number | undefined;
}

/** The narrowing a tab adds to each branch, on top of visibility. */
function tabFilter(tab: TicketTab): SQL {
  const parts: SQL[] = [];
  if (tab.search) parts.push(sql` AND ${searchWhere(tab.search)}`);
  if (tab.since) parts.push(sql` AND last_activity_at >= ${tab.since.getTime()}`);
  if (tab.assigneeId !== undefined) parts.push(sql` AND assignee_id = ${tab.assigneeId}`);
  if (tab.channelId !== undefined) parts.push(sql` AND channel_id = ${tab.channelId}`);
  return sql.join(parts, sql``);
}

const needsCounting = (tab: TicketTab) => Boolean(tab.search || tab.since || tab.assigneeId !== undefined || tab.channelId !== undefined);

export interface TicketPage {
  tickets: Ticket[];
  hasNextPage: boolean;
}

export type TicketChanges = Partial<Omit<Ticket, 'id' | 'accountId' | 'protocol' | 'contactId' | 'createdAt'>>;
export type NewTicket = Omit<Ticket, 'id' | 'protocol'>;

const byRecency = sql`last_activity_at DESC, id DESC`;

function afterCursor(cursor: TicketPageCursor | undefined): SQL {
  return cursor ? sql` AND (last_activity_at, id) < (${cursor.lastActivityAt}, ${cursor.id})` : sql``;
}

/** An FTS5 phrase for the trigram index (3+ characters), or a prefix LIKE for shorter terms. */
function searchWhere(term: string): SQL {
  const text = term.trim();
  if (text.length >= 3) {
    const phrase = `"${text.replaceAll('"', '""')}"`;
    return sql`(contact_id IN (SELECT rowid FROM contacts_search WHERE contacts_search MATCH ${phrase})
      OR id IN (SELECT m.ticket_id FROM messages m WHERE m.id IN (SELECT rowid FROM messages_search WHERE messages_search MATCH ${phrase})))`;
  }
  const prefix = `${text.replace(/[%_\\]/g, '\\$&')}%`;
  return sql`contact_id IN (SELECT id FROM contacts WHERE name LIKE ${prefix} ESCAPE '\\' OR phone LIKE ${prefix} ESCAPE '\\')`;
}

export function ticketQueries(db: SqliteDb) {
  function branchesOf(scope: TicketScope, tab: TicketTab): SQL[] {
    if (tab.assignedOnly) {
      if (scope.userId === null) return [];
      return [assignedTicketsWhere(scope.userId, tab.status, tab.sectorId)];
    }
    return visibleTicketBranches(scope, tab.status, tab.sectorId);
  }

  async function byIdsInScope(scope: TicketScope, ids: readonly number[]): Promise<Ticket[]> {
    if (ids.length === 0) return [];
    return db
      .select()
      .from(tickets)
      .where(and(inArray(tickets.id, [...ids]), visibleTicketsWhere(scope)))
      .all();
  }

  /** Sum of the count table over (status, sectors) plus assigned-to-me outside those sectors. */
  function countFromTable(accountId: number, status: TicketStatus, sectorIds: readonly number[] | 'all', assigneeId: number | null): number {
    const sectorsPart =
      sectorIds === 'all'
        ? (db.get<{ n: number }>(sql`SELECT n FROM ticket_totals WHERE account_id = ${accountId} AND status = ${status}`)?.n ?? 0)
        : (db.get<{ n: number | null }>(
            sql`SELECT sum(n) AS n FROM ticket_counts WHERE account_id = ${accountId} AND status = ${status} AND sector_id IN (${sectorList(sectorIds)})`,
          )?.n ?? 0);
    if (assigneeId === null || sectorIds === 'all') return sectorsPart;
    const minePart =
      db.get<{ n: number | null }>(
        sql`SELECT sum(n) AS n FROM ticket_counts WHERE assignee_id = ${assigneeId} AND status = ${status}
            AND account_id = ${accountId} AND sector_id NOT IN (${sectorList(sectorIds)})`,
      )?.n ?? 0;
    return sectorsPart + minePart;
  }

  function countAssigned(accountId: number, userId: number | null, status: TicketStatus, sectorId?: number): number {
    if (userId === null) return 0;
    const sector = sectorId === undefined ? sql`` : sql` AND sector_id = ${sectorId}`;
    return (
      db.get<{ n: number | null }>(
        sql`SELECT sum(n) AS n FROM ticket_counts WHERE assignee_id = ${userId} AND status = ${status} AND account_id = ${accountId}${sector}`,
      )?.n ?? 0
    );
  }

  return {
    byIdsInScope,

    async byIdInScope(scope: TicketScope, id: number): Promise<Ticket | null> {
      return (await byIdsInScope(scope, [id]))[0] ?? null;
    },

    /** A tab page, newest activity first (id breaks ties), reading at most first+1 entries per branch. */
    async page(scope: TicketScope, tab: TicketTab, first: number, after?: TicketPageCursor): Promise<TicketPage> {
      const branches = branchesOf(scope, tab);
      if (branches.length === 0) return { tickets: [], hasNextPage: false };
      const limit = first + 1;
      const filter = tabFilter(tab);
      const selects = branches.map(
        (where) => sql`SELECT * FROM (SELECT id, last_activity_at FROM tickets WHERE ${where}${filter}${afterCursor(after)} ORDER BY ${byRecency} LIMIT ${limit})`,
      );
      const ids = db
        .all<{ id: number }>(sql`SELECT id FROM (${sql.join(selects, sql` UNION `)}) ORDER BY ${byRecency} LIMIT ${limit}`)
        .map((row) => row.id);
      const rows = await byIdsInScope(scope, ids);
      const order = new Map(ids.map((id, index) => [id, index]));
      rows.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
      return { tickets: rows.slice(0, first), hasNextPage: rows.length > first };
    },

    /** How many tickets the tab holds; from the count tables unless a search or filter narrows it. */
    async count(scope: TicketScope, tab: TicketTab): Promise<number> {
      if (needsCounting(tab)) {
        const branches = branchesOf(scope, tab);
        if (branches.length === 0) return 0;
        return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM tickets WHERE ${or(...branches)!}${tabFilter(tab)}`)?.n ?? 0;
      }
      if (tab.assignedOnly) return countAssigned(scope.accountId, scope.userId, tab.status, tab.sectorId);
      if (scope.kind === 'account') {
        return countFromTable(scope.accountId, tab.status, tab.sectorId === undefined ? 'all' : [tab.sectorId], null);
      }
      if (tab.sectorId !== undefined) {
        const sectors = scope.sectorIds.includes(tab.sectorId) ? [tab.sectorId] : [];
        return countFromTable(scope.accountId, tab.status, sectors, null) + (sectors.length ? 0 : countAssigned(scope.accountId, scope.userId, tab.status, tab.sectorId));
      }
      return countFromTable(scope.accountId, tab.status, scope.sectorIds, scope.userId);
    },

    /** The three tab counts: WAITING and CLOSED as visible, OPEN = assigned to me. */
    async tabCounts(scope: TicketScope): Promise<TicketCounts> {
      const sectors = scope.kind === 'account' ? 'all' : scope.sectorIds;
      const me = scope.kind === 'agent' ? scope.userId : null;
      return {
        waiting: countFromTable(scope.accountId, 'WAITING', sectors, me),
        open: countAssigned(scope.accountId, scope.userId, 'OPEN'),
        closed: countFromTable(scope.accountId, 'CLOSED', sectors, me),
      };
    },

    /** Open tickets (OPEN) assigned to a user, for the max-concurrent check. */
    async openCountOf(accountId: number, userId: number): Promise<number> {
      return countAssigned(accountId, userId, 'OPEN');
    },

    /** The contact's tickets the scope may see, newest activity first. */
    async ofContact(scope: TicketScope, contactId: number, first: number, after?: TicketPageCursor): Promise<TicketPage> {
      const rows = db
        .select()
        .from(tickets)
        .where(
          and(
            eq(tickets.contactId, contactId),
            visibleTicketsWhere(scope),
            after ? sql`(${tickets.lastActivityAt}, ${tickets.id}) < (${after.lastActivityAt}, ${after.id})` : undefined,
          ),
        )
        .orderBy(desc(tickets.lastActivityAt), desc(tickets.id))
        .limit(first + 1)
        .all();
      return { tickets: rows.slice(0, first), hasNextPage: rows.length > first };
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
      const rows = db.select().from(ticketTags).where(inArray(ticketTags.ticketId, [...ticketIds])).orderBy(asc(ticketTags.tag)).all();
      for (const row of rows) byTicket.get(row.ticketId)?.push(row.tag);
      return byTicket;
    },

    async replaceTags(ticketId: number, tags: readonly string[]): Promise<void> {
      db.delete(ticketTags).where(eq(ticketTags.ticketId, ticketId)).run();
      if (tags.length > 0) db.insert(ticketTags).values(tags.map((tag) => ({ ticketId, tag }))).run();
    },

  };
}

export type TicketQueries = ReturnType<typeof ticketQueries>;

import { and, desc, eq, gte, inArray, isNotNull, sql, type SQL } from 'drizzle-orm';
import { visibleTicketsWhere } from '../scope.js';
import type { SqliteDb } from '../client.js';
import { idList, preparedOn } from '../prepared.js';
import { hotReads } from '../hot-reads.js';
import { contactOf } from '../rows.js';
import { contacts, contactTags, messages, tickets } from '../tables/index.js';
import type { Contact, ContactChanges, ContactCursor, ContactFilter, Message, NewContact, PageDirection, TicketScope } from '../../types.js';
import { beyond, pageOfRows, readOrder } from '../../pages.js';
import { characterCount, containsText, startsWithText, trigramMatches } from './search-terms.js';


/** Contacts a reader may list: all of the account, or those with a ticket the scope sees. */
function contactsWhere(accountId: number, visibleThrough: TicketScope | 'all', filter: ContactFilter): SQL {
  const term = filter.search?.trim();
  return and(
    eq(contacts.accountId, accountId),
    visibleThrough === 'all' ? undefined : sql`EXISTS (SELECT 1 FROM tickets WHERE tickets.contact_id = ${contacts.id} AND ${visibleTicketsWhere(visibleThrough)})`,
    term && characterCount(term) >= 3 ? sql`${contacts.id} IN (${trigramMatches('contacts_search', 'contacts', ['name', 'phone'], term)})` : undefined,
    term && characterCount(term) < 3 ? sql`(${startsWithText(sql`${contacts.name}`, term)} OR ${startsWithText(sql`${contacts.phone}`, term)})` : undefined,
    filter.name?.trim() ? containsText(sql`${contacts.name}`, filter.name.trim()) : undefined,
    filter.email ? eq(contacts.email, filter.email.trim().toLowerCase()) : undefined,
    filter.phone ? sql`${contacts.phone} LIKE ${`${filter.phone.replace(/[^0-9]/g, '')}%`}` : undefined,
    filter.city?.trim() ? containsText(sql`${contacts.city}`, filter.city.trim()) : undefined,
    filter.document ? eq(contacts.document, filter.document.trim()) : undefined,
    filter.id ? eq(contacts.id, filter.id) : undefined,
    ...interactionPeriodWhere(filter),
  )!;
}

/** The list's order (contacts_account_recency): newest interaction first, those that never interacted last. */
const recency = sql`coalesce(${contacts.lastInteractionAt}, 0)`;

/** A last-interaction period as a range of the list's order, so the index walks it (a contact that never interacted is in none). */
function interactionPeriodWhere(filter: ContactFilter): (SQL | undefined)[] {
  if (!filter.lastInteractionFrom && !filter.lastInteractionTo) return [];
  return [
    isNotNull(contacts.lastInteractionAt),
    filter.lastInteractionFrom ? sql`${recency} >= ${filter.lastInteractionFrom.getTime()}` : undefined,
    filter.lastInteractionTo ? sql`${recency} <= ${filter.lastInteractionTo.getTime()}` : undefined,
  ];
}

export function contactQueries(db: SqliteDb) {
  const prepared = preparedOn(db);
  return {
    /** Newest interaction first, id breaking ties. */
    async page(accountId: number, visibleThrough: TicketScope | 'all', filter: ContactFilter, size: number, cursor?: ContactCursor, direction: PageDirection = 'forward'): Promise<{ contacts: Contact[]; hasMore: boolean }> {
      const order = readOrder(direction);
      const rows = db
        .select()
        .from(contacts)
        .where(
          and(
            contactsWhere(accountId, visibleThrough, filter),
            cursor ? sql`(${recency}, ${contacts.id}) ${sql.raw(direction === 'forward' ? '<' : '>')} (${cursor.lastInteractionAt}, ${cursor.id})` : undefined,
          ),
        )
        .orderBy(order(recency), order(contacts.id))
        .limit(size + 1)
        .all();
      const page = pageOfRows(rows, size, direction);
      return { contacts: page.rows, hasMore: page.hasMore };
    },

    async count(accountId: number, visibleThrough: TicketScope | 'all', filter: ContactFilter): Promise<number> {
      return db.$count(contacts, contactsWhere(accountId, visibleThrough, filter));
    },

    /** The contact's messages across the tickets the scope sees, since `since`, newest first. */
    async timeline(scope: TicketScope, contactId: number, since: Date, size: number, cursorId?: number, direction: PageDirection = 'forward'): Promise<{ messages: Message[]; hasMore: boolean }> {
      const rows = db
        .select({ message: messages })
        .from(messages)
        .innerJoin(tickets, eq(tickets.id, messages.ticketId))
        .where(and(eq(tickets.contactId, contactId), visibleTicketsWhere(scope), gte(messages.createdAt, since), beyond(messages.id, cursorId, direction)))
        .orderBy(readOrder(direction)(messages.id))
        .limit(size + 1)
        .all()
        .map((row) => row.message);
      const page = pageOfRows(rows, size, direction);
      return { messages: page.rows, hasMore: page.hasMore };
    },

    async timelineCount(scope: TicketScope, contactId: number, since: Date): Promise<number> {
      const row = db
        .select({ n: sql<number>`count(*)` })
        .from(messages)
        .innerJoin(tickets, eq(tickets.id, messages.ticketId))
        .where(and(eq(tickets.contactId, contactId), visibleTicketsWhere(scope), gte(messages.createdAt, since)))
        .get();
      return row?.n ?? 0;
    },

    /** The agent serving the contact now (an OPEN ticket on any channel), if any. */
    async servedBy(accountId: number, contactId: number): Promise<number | null> {
      const row = db
        .select({ assigneeId: tickets.assigneeId })
        .from(tickets)
        .where(and(eq(tickets.contactId, contactId), eq(tickets.status, 'OPEN'), eq(tickets.accountId, accountId)))
        .orderBy(desc(tickets.lastActivityAt))
        .get();
      return row?.assigneeId ?? null;
    },

    /** The ones among `ids` a reader may see (the same rule as the contact list). */
    async byIdsVisible(accountId: number, visibleThrough: TicketScope | 'all', ids: readonly number[]): Promise<Contact[]> {
      if (ids.length === 0) return [];
      return db.select().from(contacts).where(and(contactsWhere(accountId, visibleThrough, {}), inArray(contacts.id, [...ids]))).all();
    },

    async byIds(accountId: number, ids: readonly number[]): Promise<Contact[]> {
      if (ids.length === 0) return [];
      return prepared.rows(hotReads.contactsByIds, accountId, idList(ids)).map(contactOf);
    },

    async byPhone(accountId: number, phone: string): Promise<Contact | null> {
      return db.select().from(contacts).where(and(eq(contacts.accountId, accountId), eq(contacts.phone, phone))).get() ?? null;
    },

    async insert(contact: NewContact, at: Date): Promise<Contact> {
      return db
        .insert(contacts)
        .values({ ...contact, createdAt: at, updatedAt: at })
        .returning()
        .get();
    },

    async update(accountId: number, id: number, changes: ContactChanges, at: Date): Promise<Contact | null> {
      return (
        db
          .update(contacts)
          .set({ ...changes, updatedAt: at })
          .where(and(eq(contacts.accountId, accountId), eq(contacts.id, id)))
          .returning()
          .get() ?? null
      );
    },

    async tagsOf(contactIds: readonly number[]): Promise<Map<number, string[]>> {
      const byContact = new Map<number, string[]>(contactIds.map((id) => [id, []]));
      if (contactIds.length === 0) return byContact;
      const rows = prepared.rows(hotReads.tagsOfContacts, idList(contactIds));
      for (const [contactId, tag] of rows) byContact.get(contactId as number)?.push(tag as string);
      return byContact;
    },

    async replaceTags(contactId: number, tags: readonly string[]): Promise<void> {
      db.delete(contactTags).where(eq(contactTags.contactId, contactId)).run();
      if (tags.length > 0) db.insert(contactTags).values(tags.map((tag) => ({ contactId, tag }))).run();
    },
  };
}

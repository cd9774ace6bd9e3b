import { and, desc, eq, gte, isNotNull, or, sql, type SQL } from 'drizzle-orm';
import { visibleTicketsWhere } from '../scope.js';
import type { PgDb } from '../client.js';
import type { ContactQueries } from '../../store.js';
import { contacts, contactTags, messages, tickets } from '../tables/index.js';
import type { Contact, ContactChanges, ContactCursor, ContactFilter, Message, NewContact, PageDirection, TicketScope } from '../../types.js';
import { pageOfRows, readOrder } from '../../pages.js';
import { anyId, beyondId, sameId } from './ids.js';
import { instant } from './ticket-tabs.js';
import { characterCount, containsText, holdsText, startsWithText } from './search-terms.js';
import { sameText } from './texts.js';

/** A contact that never interacted sorts as the epoch, as SQLite's coalesce(last_interaction_at, 0) does. */
const interactionKey = sql`coalesce(${contacts.lastInteractionAt}, 'epoch'::timestamptz)`;

/** A last-interaction period as a range of the list's order (contacts_account_recency), so the index walks it (a contact that never interacted is in none). */
function interactionPeriodWhere(filter: ContactFilter): (SQL | undefined)[] {
  if (!filter.lastInteractionFrom && !filter.lastInteractionTo) return [];
  return [
    isNotNull(contacts.lastInteractionAt),
    filter.lastInteractionFrom ? sql`${interactionKey} >= ${instant(filter.lastInteractionFrom.getTime())}` : undefined,
    filter.lastInteractionTo ? sql`${interactionKey} <= ${instant(filter.lastInteractionTo.getTime())}` : undefined,
  ];
}

/** Contacts a reader may list: all of the account, or those with a ticket the scope sees. */
function contactsWhere(accountId: number, visibleThrough: TicketScope | 'all', filter: ContactFilter): SQL {
  const term = filter.search?.trim();
  return and(
    eq(contacts.accountId, accountId),
    visibleThrough === 'all' ? undefined : sql`EXISTS (SELECT 1 FROM ${tickets} WHERE ${tickets.contactId} = ${contacts.id} AND ${visibleTicketsWhere(visibleThrough)})`,
    // Both trigram indexes answer the OR (a BitmapOr), so no id list of matches is built first.
    term && characterCount(term) >= 3 ? or(holdsText(sql`${contacts.name}`, term), holdsText(sql`${contacts.phone}`, term)) : undefined,
    term && characterCount(term) < 3 ? or(startsWithText(sql`${contacts.name}`, term), startsWithText(sql`${contacts.phone}`, term)) : undefined,
    filter.name?.trim() ? containsText(sql`${contacts.name}`, filter.name.trim()) : undefined,
    filter.email ? sameText(sql`${contacts.email}`, filter.email.trim().toLowerCase()) : undefined,
    // Digits only: nothing in the pattern for LIKE to read as a wildcard.
    filter.phone ? sql`${contacts.phone} LIKE ${`${filter.phone.replace(/[^0-9]/g, '')}%`}` : undefined,
    filter.city?.trim() ? containsText(sql`${contacts.city}`, filter.city.trim()) : undefined,
    filter.document ? sameText(sql`${contacts.document}`, filter.document.trim()) : undefined,
    filter.id ? sameId(contacts.id, filter.id) : undefined,
    // Instants from clients as exact epoch arithmetic: a Date's ISO text of year 0 or past 9999 is no PostgreSQL timestamp.
    ...interactionPeriodWhere(filter),
  )!;
}

export function contactQueries(db: PgDb): ContactQueries {
  // Loaders ask for ids on every nested page: compiled once per store, only the ids change.
  const contactsByIds = db
    .select()
    .from(contacts)
    .where(and(anyId(contacts.id, sql.placeholder('ids')), eq(contacts.accountId, sql.placeholder('accountId'))))
    .prepare('contacts_by_ids');
  // COLLATE "C": code point order, as SQLite's BINARY sorts them.
  const tagsOfContacts = db
    .select({ contactId: contactTags.contactId, tag: contactTags.tag })
    .from(contactTags)
    .where(anyId(contactTags.contactId, sql.placeholder('ids')))
    .orderBy(sql`${contactTags.tag} COLLATE "C"`)
    .prepare('tags_of_contacts');
  // Every ingested message looks its contact up by phone: compiled once per connection.
  const contactByPhone = db
    .select()
    .from(contacts)
    .where(and(eq(contacts.accountId, sql.placeholder('accountId')), eq(contacts.phone, sql.placeholder('phone'))))
    .limit(1)
    .prepare('contact_by_phone');

  return {
    /** Newest interaction first, id breaking ties. */
    async page(accountId: number, visibleThrough: TicketScope | 'all', filter: ContactFilter, size: number, cursor?: ContactCursor, direction: PageDirection = 'forward'): Promise<{ contacts: Contact[]; hasMore: boolean }> {
      const order = readOrder(direction);
      const rows = await db
        .select()
        .from(contacts)
        .where(
          and(
            contactsWhere(accountId, visibleThrough, filter),
            cursor
              ? sql`(${interactionKey}, ${contacts.id}) ${sql.raw(direction === 'forward' ? '<' : '>')} (${instant(cursor.lastInteractionAt)}, ${cursor.id}::bigint)`
              : undefined,
          ),
        )
        .orderBy(order(interactionKey), order(contacts.id))
        .limit(size + 1);
      const page = pageOfRows(rows, size, direction);
      return { contacts: page.rows, hasMore: page.hasMore };
    },

    async count(accountId: number, visibleThrough: TicketScope | 'all', filter: ContactFilter): Promise<number> {
      return db.$count(contacts, contactsWhere(accountId, visibleThrough, filter));
    },

    /** The contact's messages across the tickets the scope sees, since `since`, newest first. */
    async timeline(scope: TicketScope, contactId: number, since: Date, size: number, cursorId?: number, direction: PageDirection = 'forward'): Promise<{ messages: Message[]; hasMore: boolean }> {
      const rows = (
        await db
          .select({ message: messages })
          .from(messages)
          .innerJoin(tickets, eq(tickets.id, messages.ticketId))
          .where(and(sameId(tickets.contactId, contactId), visibleTicketsWhere(scope), gte(messages.createdAt, since), beyondId(messages.id, cursorId, direction)))
          .orderBy(readOrder(direction)(messages.id))
          .limit(size + 1)
      ).map((row) => row.message);
      const page = pageOfRows(rows, size, direction);
      return { messages: page.rows, hasMore: page.hasMore };
    },

    async timelineCount(scope: TicketScope, contactId: number, since: Date): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)` })
        .from(messages)
        .innerJoin(tickets, eq(tickets.id, messages.ticketId))
        .where(and(sameId(tickets.contactId, contactId), visibleTicketsWhere(scope), gte(messages.createdAt, since)));
      return row?.n ?? 0;
    },

    /** The agent serving the contact now (an OPEN ticket on any channel), if any. */
    async servedBy(accountId: number, contactId: number): Promise<number | null> {
      const [row] = await db
        .select({ assigneeId: tickets.assigneeId })
        .from(tickets)
        .where(and(sameId(tickets.contactId, contactId), eq(tickets.status, 'OPEN'), eq(tickets.accountId, accountId)))
        .orderBy(desc(tickets.lastActivityAt))
        .limit(1);
      return row?.assigneeId ?? null;
    },

    /** The ones among `ids` a reader may see (the same rule as the contact list). */
    async byIdsVisible(accountId: number, visibleThrough: TicketScope | 'all', ids: readonly number[]): Promise<Contact[]> {
      if (ids.length === 0) return [];
      return db.select().from(contacts).where(and(contactsWhere(accountId, visibleThrough, {}), anyId(contacts.id, ids)));
    },

    async byIds(accountId: number, ids: readonly number[]): Promise<Contact[]> {
      if (ids.length === 0) return [];
      return contactsByIds.execute({ ids: [...ids], accountId });
    },

    async byPhone(accountId: number, phone: string): Promise<Contact | null> {
      // PostgreSQL text holds no NUL: no stored phone has one (and the bound value would fail).
      if (phone.includes('\u0000')) return null;
      const [row] = await contactByPhone.execute({ accountId, phone });
      return row ?? null;
    },

    async insert(contact: NewContact, at: Date): Promise<Contact> {
      const [row] = await db
        .insert(contacts)
        .values({ ...contact, createdAt: at, updatedAt: at })
        .returning();
      return row!;
    },

    async update(accountId: number, id: number, changes: ContactChanges, at: Date): Promise<Contact | null> {
      const [row] = await db
        .update(contacts)
        .set({ ...changes, updatedAt: at })
        .where(and(eq(contacts.accountId, accountId), sameId(contacts.id, id)))
        .returning();
      return row ?? null;
    },

    async tagsOf(contactIds: readonly number[]): Promise<Map<number, string[]>> {
      const byContact = new Map<number, string[]>(contactIds.map((id) => [id, []]));
      if (contactIds.length === 0) return byContact;
      const rows = await tagsOfContacts.execute({ ids: [...contactIds] });
      for (const { contactId, tag } of rows) byContact.get(contactId)?.push(tag);
      return byContact;
    },

    async replaceTags(contactId: number, tags: readonly string[]): Promise<void> {
      await db.delete(contactTags).where(eq(contactTags.contactId, contactId));
      if (tags.length > 0) await db.insert(contactTags).values(tags.map((tag) => ({ contactId, tag })));
    },
  };
}

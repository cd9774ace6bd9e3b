import { and, asc, eq, inArray } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { contacts, contactTags } from '../tables/index.js';
import type { Contact } from '../types.js';

export type NewContact = Omit<Contact, 'id' | 'createdAt' | 'updatedAt'>;
export type ContactChanges = Partial<Omit<Contact, 'id' | 'accountId' | 'createdAt' | 'updatedAt'>>;

export function contactQueries(db: SqliteDb) {
  return {
    async byIds(accountId: number, ids: readonly number[]): Promise<Contact[]> {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(contacts)
        .where(and(eq(contacts.accountId, accountId), inArray(contacts.id, [...ids])))
        .all();
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
      const rows = db.select().from(contactTags).where(inArray(contactTags.contactId, [...contactIds])).orderBy(asc(contactTags.tag)).all();
      for (const row of rows) byContact.get(row.contactId)?.push(row.tag);
      return byContact;
    },

    async replaceTags(contactId: number, tags: readonly string[]): Promise<void> {
      db.delete(contactTags).where(eq(contactTags.contactId, contactId)).run();
      if (tags.length > 0) db.insert(contactTags).values(tags.map((tag) => ({ contactId, tag }))).run();
    },
  };
}

export type ContactQueries = ReturnType<typeof contactQueries>;

import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { accounts, attachments, contacts, contactTags, messages, ticketHistory, ticketRatings, tickets, ticketTags, webhookDeliveries } from '../tables/index.js';
import type { PersonalDataQueries } from '../../store.js';
import type { ContactErasure, ContactRecord } from '../../types.js';
import { accountDeletions, recordFrom } from '../../personal-data.js';

/** A frozen webhook body once redacted: the envelope's id and type stay, so the delivery log still reads. */
const redactedBody = sql`json_object('id', CAST(${webhookDeliveries.eventId} AS TEXT), 'type', ${webhookDeliveries.eventType}, 'erased', json('true'))`;

export function personalDataQueries(db: SqliteDb): PersonalDataQueries {
  function redactDeliveries(accountId: number, mention: string, at: Date): number {
    // The global id is base64 text, so it cannot hold LIKE's wildcards.
    return db
      .update(webhookDeliveries)
      .set({
        body: redactedBody,
        status: sql`CASE WHEN ${webhookDeliveries.status} IN ('PENDING', 'RETRYING') THEN 'DEAD' ELSE ${webhookDeliveries.status} END`,
        lastError: sql`CASE WHEN ${webhookDeliveries.status} IN ('PENDING', 'RETRYING') THEN 'Contact erased before delivery' ELSE ${webhookDeliveries.lastError} END`,
        nextAttemptAt: sql`CASE WHEN ${webhookDeliveries.status} IN ('PENDING', 'RETRYING') THEN NULL ELSE ${webhookDeliveries.nextAttemptAt} END`,
        lastAttemptAt: sql`coalesce(${webhookDeliveries.lastAttemptAt}, ${at.getTime()})`,
      })
      .where(and(eq(webhookDeliveries.accountId, accountId), sql`${webhookDeliveries.body} LIKE ${`%"${mention}"%`}`))
      .run().changes;
  }

  return {
    async eraseContact(accountId, contactId, at): Promise<ContactErasure | null> {
      const contact = db
        .update(contacts)
        .set({ name: null, phone: null, email: null, city: null, document: null, externalId: null, notes: null, updatedAt: at, erasedAt: sql`coalesce(${contacts.erasedAt}, ${at.getTime()})` })
        .where(and(eq(contacts.accountId, accountId), eq(contacts.id, contactId)))
        .returning()
        .get();
      if (!contact) return null;
      db.delete(contactTags).where(eq(contactTags.contactId, contactId)).run();
      const ticketIds = db.select({ id: tickets.id }).from(tickets).where(and(eq(tickets.accountId, accountId), eq(tickets.contactId, contactId))).all().map((row) => row.id);
      if (ticketIds.length === 0) return { contact, ticketIds, attachmentKeys: [] };
      // The trigram index has no update trigger (bodies never change otherwise): its entries go first.
      db.run(sql`INSERT INTO messages_search (messages_search, rowid, body)
        SELECT 'delete', id, body FROM messages WHERE ticket_id IN (SELECT value FROM json_each(${JSON.stringify(ticketIds)})) AND body IS NOT NULL`);
      db.update(messages).set({ body: null, attachments: [], externalId: null }).where(inArray(messages.ticketId, ticketIds)).run();
      const files = db.delete(attachments).where(inArray(attachments.ticketId, ticketIds)).returning({ key: attachments.storageKey }).all();
      db.update(ticketRatings).set({ comment: null }).where(inArray(ticketRatings.ticketId, ticketIds)).run();
      return { contact, ticketIds, attachmentKeys: files.map((file) => file.key) };
    },

    async redactDeliveries(accountId, mention, at): Promise<number> {
      return redactDeliveries(accountId, mention, at);
    },

    async deleteAccount(accountId): Promise<{ attachmentKeys: string[] } | null> {
      if (!db.select({ id: accounts.id }).from(accounts).where(eq(accounts.id, accountId)).get()) return null;
      const files = db.select({ key: attachments.storageKey }).from(attachments).where(eq(attachments.accountId, accountId)).all();
      for (const statement of accountDeletions(accountId)) db.run(statement);
      return { attachmentKeys: files.map((file) => file.key) };
    },

    async liveTicketsOf(accountId, contactId): Promise<number[]> {
      return db
        .select({ id: tickets.id })
        .from(tickets)
        .where(and(eq(tickets.accountId, accountId), eq(tickets.contactId, contactId), inArray(tickets.status, ['WAITING', 'OPEN'])))
        .all()
        .map((row) => row.id);
    },

    async recordOf(accountId, contactId): Promise<ContactRecord | null> {
      const contact = db.select().from(contacts).where(and(eq(contacts.accountId, accountId), eq(contacts.id, contactId))).get();
      if (!contact) return null;
      const tags = db.select({ tag: contactTags.tag }).from(contactTags).where(eq(contactTags.contactId, contactId)).orderBy(asc(contactTags.tag)).all();
      const ticketRows = db.select().from(tickets).where(and(eq(tickets.accountId, accountId), eq(tickets.contactId, contactId))).orderBy(asc(tickets.id)).all();
      const ids = ticketRows.map((ticket) => ticket.id);
      const none = ids.length === 0;
      const messageRows = none ? [] : db.select().from(messages).where(inArray(messages.ticketId, ids)).orderBy(asc(messages.id)).all();
      const historyRows = none ? [] : db.select().from(ticketHistory).where(inArray(ticketHistory.ticketId, ids)).orderBy(asc(ticketHistory.id)).all();
      const tagRows = none ? [] : db.select().from(ticketTags).where(inArray(ticketTags.ticketId, ids)).orderBy(asc(ticketTags.tag)).all();
      const ratingRows = none ? [] : db.select().from(ticketRatings).where(inArray(ticketRatings.ticketId, ids)).all();
      return recordFrom(contact, tags.map((row) => row.tag), ticketRows, { messageRows, historyRows, tagRows, ratingRows });
    },
  };
}

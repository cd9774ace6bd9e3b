import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { accounts, attachments, contacts, contactTags, messages, ticketHistory, ticketRatings, tickets, ticketTags, webhookDeliveries } from '../tables/index.js';
import type { PersonalDataQueries } from '../../store.js';
import type { ContactErasure, ContactRecord } from '../../types.js';
import { accountDeletions, recordFrom } from '../../personal-data.js';
import { anyId, sameId } from './ids.js';
import { instant } from './ticket-tabs.js';

/** A frozen webhook body once redacted: the envelope's id and type stay, so the delivery log still reads. */
const redactedBody = sql`json_build_object('id', ${webhookDeliveries.eventId}::text, 'type', ${webhookDeliveries.eventType}, 'erased', true)::text`;
const unsettled = sql`${webhookDeliveries.status} IN ('PENDING', 'RETRYING')`;

export function personalDataQueries(db: PgDb): PersonalDataQueries {
  return {
    async eraseContact(accountId, contactId, at): Promise<ContactErasure | null> {
      const [contact] = await db
        .update(contacts)
        .set({ name: null, phone: null, email: null, city: null, document: null, externalId: null, notes: null, updatedAt: at, erasedAt: sql`coalesce(${contacts.erasedAt}, ${instant(at.getTime())})` })
        .where(and(eq(contacts.accountId, accountId), sameId(contacts.id, contactId)))
        .returning();
      if (!contact) return null;
      await db.delete(contactTags).where(eq(contactTags.contactId, contact.id));
      const ticketIds = (await db.select({ id: tickets.id }).from(tickets).where(and(eq(tickets.accountId, accountId), eq(tickets.contactId, contact.id)))).map((row) => row.id);
      if (ticketIds.length === 0) return { contact, ticketIds, attachmentKeys: [] };
      // The trigram indexes follow the columns: clearing the bodies clears what search can find.
      await db.update(messages).set({ body: null, attachments: [], externalId: null }).where(anyId(messages.ticketId, ticketIds));
      const files = await db.delete(attachments).where(anyId(attachments.ticketId, ticketIds)).returning({ key: attachments.storageKey });
      await db.update(ticketRatings).set({ comment: null }).where(anyId(ticketRatings.ticketId, ticketIds));
      return { contact, ticketIds, attachmentKeys: files.map((file) => file.key) };
    },

    async redactDeliveries(accountId, mention, at): Promise<number> {
      // The global id is base64 text, so it cannot hold LIKE's wildcards.
      const redacted = await db
        .update(webhookDeliveries)
        .set({
          body: redactedBody,
          status: sql`CASE WHEN ${unsettled} THEN 'DEAD' ELSE ${webhookDeliveries.status} END`,
          lastError: sql`CASE WHEN ${unsettled} THEN 'Contact erased before delivery' ELSE ${webhookDeliveries.lastError} END`,
          nextAttemptAt: sql`CASE WHEN ${unsettled} THEN NULL ELSE ${webhookDeliveries.nextAttemptAt} END`,
          lastAttemptAt: sql`coalesce(${webhookDeliveries.lastAttemptAt}, ${instant(at.getTime())})`,
        })
        .where(and(eq(webhookDeliveries.accountId, accountId), sql`${webhookDeliveries.body} LIKE ${`%"${mention}"%`}`))
        .returning({ id: webhookDeliveries.id });
      return redacted.length;
    },

    async deleteAccount(accountId): Promise<{ attachmentKeys: string[] } | null> {
      const [account] = await db.select({ id: accounts.id }).from(accounts).where(sameId(accounts.id, accountId));
      if (!account) return null;
      const files = await db.select({ key: attachments.storageKey }).from(attachments).where(eq(attachments.accountId, account.id));
      for (const statement of accountDeletions(account.id)) await db.execute(statement);
      return { attachmentKeys: files.map((file) => file.key) };
    },

    async liveTicketsOf(accountId, contactId): Promise<number[]> {
      const rows = await db
        .select({ id: tickets.id })
        .from(tickets)
        .where(and(eq(tickets.accountId, accountId), sameId(tickets.contactId, contactId), inArray(tickets.status, ['WAITING', 'OPEN'])));
      return rows.map((row) => row.id);
    },

    async recordOf(accountId, contactId): Promise<ContactRecord | null> {
      const [contact] = await db.select().from(contacts).where(and(eq(contacts.accountId, accountId), sameId(contacts.id, contactId)));
      if (!contact) return null;
      const tags = await db.select({ tag: contactTags.tag }).from(contactTags).where(eq(contactTags.contactId, contact.id)).orderBy(asc(contactTags.tag));
      const ticketRows = await db.select().from(tickets).where(and(eq(tickets.accountId, accountId), eq(tickets.contactId, contact.id))).orderBy(asc(tickets.id));
      const ids = ticketRows.map((ticket) => ticket.id);
      const none = ids.length === 0;
      const [messageRows, historyRows, tagRows, ratingRows] = none
        ? [[], [], [], []]
        : await Promise.all([
            db.select().from(messages).where(anyId(messages.ticketId, ids)).orderBy(asc(messages.id)),
            db.select().from(ticketHistory).where(anyId(ticketHistory.ticketId, ids)).orderBy(asc(ticketHistory.id)),
            db.select().from(ticketTags).where(anyId(ticketTags.ticketId, ids)).orderBy(asc(ticketTags.tag)),
            db.select().from(ticketRatings).where(anyId(ticketRatings.ticketId, ids)),
          ]);
      return recordFrom(contact, tags.map((row) => row.tag), ticketRows, { messageRows, historyRows, tagRows, ratingRows });
    },
  };
}

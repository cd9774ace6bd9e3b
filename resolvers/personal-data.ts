import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Contact, ContactRecord, Message, Ticket, TicketHistoryEntry } from '../db/types.js';
import { ConflictError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import { assertAdmin } from './permissions.js';
import type { Services } from './services.js';
import { actorOf } from './tickets/common.js';
import type { Viewer } from './viewer.js';

// A contact's rights over their data (Brazil's LGPD, Europe's GDPR): erasure keeps every ticket's
// counts and timings for the statistics and removes what names or quotes the person.

/**
 * Clears the contact's personal data, their tickets' message bodies, attachments and rating comments,
 * and the frozen webhook bodies that carried them; one ERASED history entry per ticket and one event.
 */
export async function eraseContact(services: Services, viewer: Viewer | null, contactId: number): Promise<Contact> {
  assertAdmin(viewer);
  const at = services.clock.now();
  const actor = actorOf(viewer);
  const erasure = await services.store.write(async (tx) => {
    const live = await tx.personalData.liveTicketsOf(viewer.accountId, contactId);
    // Erasing under a live conversation would let the next reply write personal data again.
    if (live.length > 0) throw new ConflictError('Close the contact’s live tickets before erasing', { reason: 'LIVE_TICKETS', ticketIds: live.map((id) => encodeGlobalID('Ticket', id)) });
    const erased = await tx.personalData.eraseContact(viewer.accountId, contactId, at);
    if (!erased) throw new NotFoundError('Contact');
    for (const ticketId of erased.ticketIds) {
      await tx.messages.recordHistory({ ticketId, kind: 'ERASED', actorKind: actor.kind, actorId: actor.id, data: {}, createdAt: at });
    }
    await tx.personalData.redactDeliveries(viewer.accountId, encodeGlobalID('Contact', contactId), at);
    await recordEvent(tx, at, viewer.accountId, 'contact.erased', { contactId, actor, ticketIds: erased.ticketIds });
    return erased;
  });
  // Files go once the erasure committed: a rolled-back one must still find them.
  await Promise.all(
    erasure.attachmentKeys.map((key) =>
      services.attachments.storage.delete(key).catch((error: unknown) => services.log.error({ err: error, key }, 'an erased attachment could not be removed from storage')),
    ),
  );
  return erasure.contact;
}

const gid = (type: string, id: number | null) => (id === null ? null : encodeGlobalID(type, id));
const instant = (at: Date | null) => at?.toISOString() ?? null;

function contactDocument(contact: Contact) {
  return {
    id: gid('Contact', contact.id), name: contact.name, phone: contact.phone, email: contact.email, city: contact.city, document: contact.document,
    externalId: contact.externalId, notes: contact.notes, lastInteractionAt: instant(contact.lastInteractionAt), createdAt: instant(contact.createdAt),
    updatedAt: instant(contact.updatedAt), erasedAt: instant(contact.erasedAt),
  };
}

function ticketDocument(ticket: Ticket) {
  return {
    id: gid('Ticket', ticket.id), protocol: ticket.protocol, status: ticket.status, channelId: gid('Channel', ticket.channelId), sectorId: gid('Sector', ticket.sectorId),
    assigneeId: gid('User', ticket.assigneeId), createdAt: instant(ticket.createdAt), acceptedAt: instant(ticket.acceptedAt),
    firstResponseAt: instant(ticket.firstResponseAt), closedAt: instant(ticket.closedAt), closedBy: ticket.closedBy,
  };
}

function messageDocument(message: Message) {
  return {
    id: gid('Message', message.id), direction: message.direction, author: message.author, authorUserId: gid('User', message.authorUserId), kind: message.kind,
    body: message.body, attachments: message.attachments.map((file) => ({ url: file.url, mime: file.mime, name: file.name })), externalId: message.externalId,
    createdAt: instant(message.createdAt),
  };
}

function historyDocument(entry: TicketHistoryEntry) {
  return { kind: entry.kind, actorKind: entry.actorKind, actorId: gid(entry.actorKind === 'INTEGRATION' ? 'Integration' : 'User', entry.actorId), data: entry.data, at: instant(entry.createdAt) };
}

/** The export handed to the person (portability): plain JSON, ids as the API shows them, instants in ISO 8601. */
function exportDocument(record: ContactRecord, at: Date) {
  return {
    exportedAt: at.toISOString(),
    contact: { ...contactDocument(record.contact), tags: record.tags },
    tickets: record.tickets.map((entry) => ({
      ...ticketDocument(entry.ticket),
      tags: entry.tags,
      rating: entry.rating && { rating: entry.rating.rating, comment: entry.rating.comment, ratedAt: instant(entry.rating.ratedAt) },
      messages: entry.messages.map(messageDocument),
      history: entry.history.map(historyDocument),
    })),
  };
}

/** Everything stored about the contact, in one document (ADMIN). */
export async function exportContact(services: Services, viewer: Viewer | null, contactId: number): Promise<Record<string, unknown>> {
  assertAdmin(viewer);
  const record = await services.store.personalData.recordOf(viewer.accountId, contactId);
  if (!record) throw new NotFoundError('Contact');
  return exportDocument(record, services.clock.now());
}

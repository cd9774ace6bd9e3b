import { encodeGlobalID } from '@pothos/plugin-relay';
import type { Contact, Message, OutboxEvent, Ticket } from '../../db/types.js';
import type { Actor, DomainEvent, TicketPlacement } from '../events.js';
import type { Services } from '../services.js';
import { systemScope } from '../visibility.js';
import { EVENT_VERSION, type PublicEvent, type PublicEventType } from './event-contract.js';

const gid = (type: string, id: number) => encodeGlobalID(type, id);
const optionalGid = (type: string, id: number | null) => (id === null ? null : gid(type, id));

function actorOf(actor: Actor) {
  if (actor.kind === 'SYSTEM') return { kind: actor.kind, id: null };
  return { kind: actor.kind, id: gid(actor.kind === 'USER' ? 'User' : 'Integration', actor.id) };
}

function placementOf(p: TicketPlacement) {
  return { status: p.status, sectorId: optionalGid('Sector', p.sectorId), assigneeId: optionalGid('User', p.assigneeId), channelId: gid('Channel', p.channelId) };
}

/** Immutable parts from the row, placement as the event left it (the row may have moved on since). */
function snapshotOf(ticket: Ticket, at: TicketPlacement) {
  return { id: gid('Ticket', ticket.id), protocol: ticket.protocol, contactId: gid('Contact', ticket.contactId), ...placementOf(at) };
}

function contactOf(contact: Contact) {
  return { id: gid('Contact', contact.id), name: contact.name, phone: contact.phone, email: contact.email, externalId: contact.externalId };
}

function messageOf(message: Message) {
  return {
    id: gid('Message', message.id), ticketId: gid('Ticket', message.ticketId), direction: message.direction, author: message.author,
    authorUserId: optionalGid('User', message.authorUserId), kind: message.kind, body: message.body,
    attachments: message.attachments.map((file) => ({ id: file.id ?? null, url: file.url, mime: file.mime, name: file.name, size: file.size ?? null })),
    externalId: message.externalId, createdAt: message.createdAt.toISOString(),
  };
}

/** Which public event a status change is; null for changes the contract does not name. */
function statusEventOf(before: TicketPlacement, after: TicketPlacement): PublicEventType | null {
  if (after.status === 'CLOSED' && before.status !== 'CLOSED') return 'ticket.closed';
  if (before.status === 'CLOSED') return 'ticket.reopened';
  if (before.status === 'WAITING' && after.status === 'OPEN') return 'ticket.accepted';
  return null;
}

/** The public type of a recorded event, from its payload alone (no reads). */
export function publicTypeOf(recorded: OutboxEvent): PublicEventType | null {
  const event = recorded as DomainEvent;
  switch (event.type) {
    case 'ticket.created':
    case 'ticket.transferred':
    case 'ticket.tagged':
    case 'message.created':
    case 'contact.created':
    case 'contact.updated':
    case 'contact.erased':
    case 'absence.changed':
      return event.type;
    case 'ticket.statusChanged':
      return statusEventOf(event.payload.before, event.payload.after);
    case 'user.statusChanged':
      return 'agent.statusChanged';
    default:
      return null;
  }
}

/**
 * Turns recorded domain events into the public contract, reading what the payload names (ids only).
 * Several consumers read the same events, so the last few conversions are kept.
 */
export function publicEventsOf(services: Services) {
  const recent = new Map<number, PublicEvent | null>();
  const reads = services.store;
  // Conversions remembered before an erasure may hold what it removed: forget them once it commits.
  services.events.onCommit((commit) => {
    if (commit.some((event) => event.type === 'contact.erased')) recent.clear();
  });

  async function ticketOf(accountId: number, id: number): Promise<Ticket | null> {
    return reads.tickets.byIdInScope(systemScope(accountId), id);
  }

  async function convert(event: DomainEvent): Promise<{ type: PublicEventType; data: unknown } | null> {
    const { accountId } = event;
    switch (event.type) {
      case 'ticket.created':
      case 'ticket.transferred':
      case 'ticket.statusChanged':
      case 'ticket.tagged': {
        const p = event.payload;
        const ticket = await ticketOf(accountId, p.ticketId);
        if (!ticket) return null;
        if (event.type === 'ticket.created') return { type: 'ticket.created', data: { ticket: snapshotOf(ticket, event.payload.after), actor: actorOf(p.actor) } };
        if (event.type === 'ticket.tagged') return { type: 'ticket.tagged', data: { ticket: snapshotOf(ticket, event.payload.placement), tags: event.payload.tags, actor: actorOf(p.actor) } };
        const { before, after } = event.payload;
        if (event.type === 'ticket.transferred') {
          return { type: 'ticket.transferred', data: { ticket: snapshotOf(ticket, after), from: placementOf(before), to: placementOf(after), actor: actorOf(p.actor) } };
        }
        const type = statusEventOf(before, after);
        if (!type) return null;
        const data: Record<string, unknown> = { ticket: snapshotOf(ticket, after), actor: actorOf(p.actor) };
        // As it was when closed (the row may be reopened by now); events recorded before close events kept it read the row.
        if (type === 'ticket.closed') data['closedBy'] = event.payload.closedBy ?? ticket.closedBy;
        return { type, data };
      }
      case 'message.created': {
        const p = event.payload;
        const [message] = await reads.messages.byIds(accountId, [p.messageId]);
        const ticket = await ticketOf(accountId, p.ticketId);
        if (!message || !ticket) return null;
        return { type: 'message.created', data: { message: messageOf(message), ticket: snapshotOf(ticket, p.placement), actor: actorOf(p.actor) } };
      }
      case 'contact.created':
      case 'contact.updated': {
        const [contact] = await reads.contacts.byIds(accountId, [event.payload.contactId]);
        if (!contact) return null;
        const data = { contact: contactOf(contact), actor: actorOf(event.payload.actor) };
        return event.type === 'contact.created' ? { type: 'contact.created', data } : { type: 'contact.updated', data: { ...data, changed: event.payload.changed } };
      }
      case 'contact.erased':
        return {
          type: 'contact.erased',
          data: { contact: { id: gid('Contact', event.payload.contactId) }, ticketIds: event.payload.ticketIds.map((id) => gid('Ticket', id)), actor: actorOf(event.payload.actor) },
        };
      case 'user.statusChanged':
        return { type: 'agent.statusChanged', data: { userId: gid('User', event.payload.userId), status: event.payload.status } };
      case 'absence.changed': {
        const p = event.payload;
        return {
          type: 'absence.changed',
          data: {
            userId: gid('User', p.userId), enabled: p.enabled, message: p.message, startsAt: p.startsAt, endsAt: p.endsAt,
            suggestedUserId: optionalGid('User', p.suggestedUserId), byUserId: gid('User', p.byUserId),
          },
        };
      }
      default:
        return null;
    }
  }

  return {
    /** The public form of a recorded event, or null when the contract has none for it. */
    async of(recorded: OutboxEvent): Promise<PublicEvent | null> {
      // An erasure committed by another instance: the same forgetting, when the relay reaches it.
      if (recorded.type === 'contact.erased') recent.clear();
      if (recent.has(recorded.id)) return recent.get(recorded.id)!;
      const converted = await convert(recorded as DomainEvent);
      const event = converted
        ? ({ id: String(recorded.id), type: converted.type, version: EVENT_VERSION, occurredAt: recorded.occurredAt.toISOString(), accountId: String(recorded.accountId), data: converted.data } as PublicEvent)
        : null;
      recent.set(recorded.id, event);
      if (recent.size > 500) recent.delete(recent.keys().next().value!);
      return event;
    },
  };
}

export type PublicEvents = ReturnType<typeof publicEventsOf>;

import { z } from 'zod';

// The public, versioned event contract: what webhooks receive and plugin handlers get.
// docs/events.md is generated from these schemas (npm run docs:events); a test keeps it in step.

export const EVENT_VERSION = 1;

const id = (type: string) => z.string().describe(`GraphQL id of a ${type}`);
const nullableId = (type: string) => id(type).nullable();
const instant = z.string().describe('ISO 8601 instant');

export const ticketSnapshot = z
  .object({
    id: id('Ticket'),
    protocol: z.number().int().describe('Number shown to people, per account'),
    contactId: id('Contact'),
    channelId: id('Channel'),
    status: z.enum(['WAITING', 'OPEN', 'CLOSED']),
    sectorId: nullableId('Sector'),
    assigneeId: nullableId('User'),
  })
  .describe('The ticket as the event left it');

const placement = z.object({
  status: z.enum(['WAITING', 'OPEN', 'CLOSED']),
  sectorId: nullableId('Sector'),
  assigneeId: nullableId('User'),
  channelId: id('Channel'),
});

const actor = z
  .object({ kind: z.enum(['USER', 'INTEGRATION', 'SYSTEM']), id: z.string().nullable().describe('GraphQL id of the User or Integration; null for SYSTEM') })
  .describe('Who caused it');

const message = z.object({
  id: id('Message'),
  ticketId: id('Ticket'),
  direction: z.enum(['IN', 'OUT']),
  author: z.enum(['CONTACT', 'AGENT', 'BOT', 'SYSTEM']),
  authorUserId: nullableId('User'),
  kind: z.string().describe('TEXT, AUDIO, IMAGE, DOCUMENT, NOTE, TEMPLATE, ...'),
  body: z.string().nullable(),
  attachments: z.array(
    z.object({
      id: z.string().nullable().describe('Set for a file uploaded to Deskgraph: plugins read its bytes with api.attachments.read(accountId, id)'),
      url: z.string().describe("The channel's own link, or /attachments/<id> on this server for an uploaded file (GET with a bearer token)"),
      mime: z.string().describe('For an uploaded file, the type read from its content'),
      name: z.string().nullable(),
      size: z.number().int().nullable().describe('Bytes, for an uploaded file'),
    }),
  ),
  externalId: z.string().nullable().describe("The message's id at the channel, when it gave one"),
  createdAt: instant,
});

const contact = z.object({
  id: id('Contact'),
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  externalId: z.string().nullable(),
});

/** Each public event type and the shape of its `data`. */
export const publicEventData = {
  'ticket.created': z.object({ ticket: ticketSnapshot, actor }).describe('A contact opened a ticket (or an agent did, with an active message)'),
  'ticket.accepted': z.object({ ticket: ticketSnapshot, actor }).describe('An agent took a WAITING ticket, by hand or by routing'),
  'ticket.transferred': z.object({ ticket: ticketSnapshot, from: placement, to: placement, actor }).describe('Moved to another sector, agent or channel'),
  'ticket.closed': z
    .object({ ticket: ticketSnapshot, closedBy: z.enum(['AGENT', 'ADMIN', 'CONTACT', 'SYSTEM']).nullable(), actor })
    .describe('Closed by an agent, an ADMIN, or the contact giving up'),
  'ticket.reopened': z.object({ ticket: ticketSnapshot, actor }).describe('A CLOSED ticket is live again'),
  'ticket.tagged': z.object({ ticket: ticketSnapshot, tags: z.array(z.string()), actor }).describe("The ticket's tags were replaced"),
  'message.created': z
    .object({ message, ticket: ticketSnapshot, actor })
    .describe('A message on a ticket: from the contact (IN), an agent or the system (OUT), or an internal note (kind NOTE)'),
  'contact.created': z.object({ contact, actor }).describe('A new contact'),
  'contact.updated': z.object({ contact, changed: z.array(z.string()), actor }).describe("A contact's details changed"),
  'contact.erased': z
    .object({ contact: z.object({ id: id('Contact') }), ticketIds: z.array(id('Ticket')), actor })
    .describe("An ADMIN erased the contact's personal data and their tickets' messages (LGPD, GDPR): erase your copies too"),
  'agent.statusChanged': z
    .object({ userId: id('User'), status: z.enum(['ONLINE', 'PAUSED', 'INVISIBLE', 'OFFLINE']) })
    .describe('An agent went ONLINE, PAUSED, INVISIBLE or OFFLINE'),
  'absence.changed': z
    .object({
      userId: id('User'),
      enabled: z.boolean(),
      message: z.string().nullable(),
      startsAt: instant.nullable(),
      endsAt: instant.nullable(),
      suggestedUserId: nullableId('User'),
      byUserId: id('User'),
    })
    .describe("An agent's absence message was turned on, off or changed"),
} as const;

export type PublicEventType = keyof typeof publicEventData;
export const publicEventTypes = Object.keys(publicEventData) as PublicEventType[];

export type PublicEvent<K extends PublicEventType = PublicEventType> = {
  [T in K]: {
    /** The outbox id: receivers drop a redelivered event by it. */
    id: string;
    type: T;
    version: typeof EVENT_VERSION;
    occurredAt: string;
    accountId: string;
    data: z.infer<(typeof publicEventData)[T]>;
  };
}[K];

/** The envelope around every event's data. */
export function envelopeSchemaOf<K extends PublicEventType>(type: K) {
  return z.object({
    id: z.string().describe('Unique per event; the same on every delivery attempt'),
    type: z.literal(type),
    version: z.literal(EVENT_VERSION),
    occurredAt: instant.describe('When it happened (the committing transaction)'),
    accountId: z.string().describe('The Deskgraph account'),
    data: publicEventData[type],
  });
}

export function isPublicEventType(type: string): type is PublicEventType {
  return Object.hasOwn(publicEventData, type);
}

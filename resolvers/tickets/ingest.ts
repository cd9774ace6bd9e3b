import { z } from 'zod';
import type { StoreTx } from '../../db/store.js';
import type { Attachment, Contact, MessageKind, Ticket } from '../../db/types.js';
import { BadUserInputError } from '../errors.js';
import { assertIngestion } from '../permissions.js';
import { recordEvent, type Actor } from '../events.js';
import { automateIntake } from './intake-automation.js';
import { parseInput } from '../input-rules.js';
import type { Services } from '../services.js';
import type { Viewer } from '../viewer.js';
import { systemScope } from '../visibility.js';
import { actorOf, placementOf } from './common.js';

export interface IngestMessageInput {
  channelId?: number | null;
  contact: { phone: string; name?: string | null; externalId?: string | null };
  body?: string | null;
  kind?: Exclude<MessageKind, 'TEMPLATE' | 'NOTE'> | null;
  attachments?: { url: string; mime: string; name?: string | null }[] | null;
  sectorId?: number | null;
  /** The message's id at the channel: a redelivery with the same id adds nothing. */
  externalId?: string | null;
}

const ingestRules = z
  .object({
    contact: z.object({
      // Stored as digits only, so every spelling of one number is one contact.
      phone: z
        .string()
        .transform((phone) => phone.replace(/[^0-9]/g, ''))
        .pipe(z.string().min(6, 'A phone number has 6 to 20 digits').max(20, 'A phone number has 6 to 20 digits')),
      name: z.string().trim().max(120, 'Name is at most 120 characters').nullish(),
      externalId: z.string().trim().max(120).nullish(),
    }),
    body: z.string().max(4096, 'A message is at most 4096 characters').nullish(),
    externalId: z.string().trim().min(1, 'An external id is not empty').max(200, 'An external id is at most 200 characters').nullish(),
    kind: z.enum(['TEXT', 'AUDIO', 'IMAGE', 'DOCUMENT']).nullish(),
    attachments: z
      .array(
        z.object({
          url: z.url({ protocol: /^https?$/, error: 'Not an http(s) URL' }),
          mime: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'Not a MIME type'),
          name: z.string().max(255).nullish(),
        }),
      )
      .max(10, 'At most 10 attachments')
      .nullish(),
  })
  .refine((input) => (input.body?.trim() ?? '') !== '' || (input.attachments?.length ?? 0) > 0, {
    message: 'A message needs a body or an attachment',
    path: ['body'],
  });

/** The contact a message comes from, found by phone or created; `created` when this write made it. */
async function contactFor(
  tx: StoreTx, accountId: number, input: { phone: string; name?: string | null | undefined; externalId?: string | null | undefined }, actor: Actor, at: Date,
): Promise<{ contact: Contact; created: boolean }> {
  const existing = await tx.contacts.byPhone(accountId, input.phone);
  if (existing) {
    // A name learned later fills the gap, but never overwrites what an agent has set.
    if (!existing.name && input.name) return { contact: (await tx.contacts.update(accountId, existing.id, { name: input.name }, at)) ?? existing, created: false };
    return { contact: existing, created: false };
  }
  const contact = await tx.contacts.insert(
    { accountId, name: input.name || null, phone: input.phone, email: null, city: null, document: null, externalId: input.externalId || null, notes: null, lastInteractionAt: at },
    at,
  );
  await recordEvent(tx, at, accountId, 'contact.created', { contactId: contact.id, actor });
  return { contact, created: true };
}

/**
 * A bot or channel hands a contact's message over: it joins the contact's live ticket on that
 * channel, or opens a new WAITING one (after CLOSED, always a new ticket).
 */
export async function ingestMessage(services: Services, viewer: Viewer | null, input: IngestMessageInput): Promise<Ticket> {
  assertIngestion(viewer);
  const parsed = parseInput(ingestRules, input, 'input');
  await services.accountLimits.admitIngest(viewer.accountId);
  const attachments: Attachment[] = (parsed.attachments ?? []).map((a) => ({ url: a.url, mime: a.mime, name: a.name ?? null }));
  const kind: MessageKind = parsed.kind ?? 'TEXT';
  const actor = actorOf(viewer);
  const at = services.clock.now();
  const accountId = viewer.accountId;

  return services.store.write(async (tx) => {
    // Channels redeliver (webhook retries, a bot restarting): the same message id changes nothing.
    if (parsed.externalId) {
      const known = await tx.messages.byExternalId(accountId, parsed.externalId);
      const knownTicket = known && (await tx.tickets.byIdInScope(systemScope(accountId), known.ticketId));
      if (knownTicket) return knownTicket;
    }
    const channel = input.channelId ? await tx.channels.byId(accountId, input.channelId) : await tx.channels.defaultOf(accountId);
    if (!channel) throw new BadUserInputError('input.channelId', 'Unknown channel');
    const sector = input.sectorId ? await tx.sectors.byId(accountId, input.sectorId) : null;
    if (input.sectorId && !sector) throw new BadUserInputError('input.sectorId', 'Unknown sector');
    const { contact, created: contactIsNew } = await contactFor(tx, accountId, parsed.contact, actor, at);

    // A contact this message created has no ticket yet.
    let ticket = contactIsNew ? null : await tx.tickets.liveOf(accountId, contact.id, channel.id);
    const isNewTicket = !ticket;
    if (!ticket) {
      const protocol = await tx.tickets.nextProtocol(accountId);
      ticket = await tx.tickets.insert(
        {
          accountId, contactId: contact.id, channelId: channel.id, sectorId: sector?.id ?? null, assigneeId: null, status: 'WAITING',
          lastMessageId: null, outOfHours: false, callbackRequested: null, closedBy: null, closedById: null,
          createdAt: at, queuedAt: at, acceptedAt: null, firstResponseAt: null, closedAt: null, lastActivityAt: at, pendingInboundSince: null,
        },
        protocol,
      );
      await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'CREATED', actorKind: actor.kind, actorId: actor.id, data: { channelId: channel.id, sectorId: ticket.sectorId }, createdAt: at });
      await recordEvent(tx, at, accountId, 'ticket.created', { ticketId: ticket.id, actor, after: placementOf(ticket) });
    } else if (sector && ticket.status === 'WAITING' && ticket.sectorId === null) {
      // The bot's menu answered: the waiting ticket joins the chosen sector's queue.
      const before = placementOf(ticket);
      ticket = await tx.tickets.update(ticket.id, { sectorId: sector.id, queuedAt: at });
      await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'TRANSFERRED', actorKind: actor.kind, actorId: actor.id, data: { toSectorId: sector.id }, createdAt: at });
      await recordEvent(tx, at, accountId, 'ticket.transferred', { ticketId: ticket.id, actor, before, after: placementOf(ticket) });
    }

    const message = await tx.messages.insert({
      accountId, ticketId: ticket.id, direction: 'IN', author: 'CONTACT', authorUserId: null, kind,
      body: parsed.body?.trim() ? parsed.body : null, attachments, externalId: parsed.externalId ?? null, createdAt: at,
    });
    ticket = await tx.tickets.update(ticket.id, { lastMessageId: message.id, lastActivityAt: at, pendingInboundSince: ticket.pendingInboundSince ?? at });
    // A contact this message created was inserted with this interaction already.
    if (!contactIsNew) await tx.contacts.update(accountId, contact.id, { lastInteractionAt: at }, at);
    await recordEvent(tx, at, accountId, 'message.created', {
      messageId: message.id, ticketId: ticket.id, actor, kind, direction: 'IN', placement: placementOf(ticket),
    });
    return automateIntake(tx, { ticket, channel, sector, body: parsed.body ?? null, isNewTicket, at, actor });
  });
}

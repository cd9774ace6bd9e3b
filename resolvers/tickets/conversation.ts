import { z } from 'zod';
import type { StoreTx } from '../../db/store.js';
import type { Message, MessageKind, Ticket } from '../../db/types.js';
import { acceptUploads, kindOfFiles, messageAttachmentsOf, recordsOf, storeUploads, type UploadedFile } from '../attachments/uploads.js';
import { assertWithinWorkingHours } from '../availability.js';
import { ConflictError, ForbiddenError, NotFoundError, WindowExpiredError } from '../errors.js';
import { recordEvent } from '../events.js';
import { parseInput } from '../input-rules.js';
import { notifyMentioned } from '../notifications.js';
import { assertAgent } from '../permissions.js';
import type { Services } from '../services.js';
import type { Viewer } from '../viewer.js';
import { ticketScopeOf } from '../visibility.js';
import { actorOf, placementOf, visibleTicketOrThrow } from './common.js';

/** Channels whose platform only lets a business write freely within 24 hours of the contact's last message. */
const windowedChannels = new Set(['WHATSAPP', 'INSTAGRAM']);
export const customerServiceWindowMs = 24 * 3600 * 1000;

export function windowClosesAt(lastInboundAt: Date | null): Date | null {
  return lastInboundAt ? new Date(lastInboundAt.getTime() + customerServiceWindowMs) : null;
}

export function isWindowOpen(channelKind: string, lastInboundAt: Date | null, at: Date): boolean {
  if (!windowedChannels.has(channelKind)) return true;
  const closes = windowClosesAt(lastInboundAt);
  return closes !== null && at < closes;
}

const messageBody = z.string().trim().min(1, 'A message cannot be empty').max(4096, 'A message is at most 4096 characters');
/** With files the text is a caption, and may be empty. */
const captionBody = z.string().trim().max(4096, 'A message is at most 4096 characters');
/** Tags are labels, compared and stored lower-case, each once. */
export const tagList = z
  .array(z.string().trim().toLowerCase().min(1, 'A tag cannot be empty').max(40, 'A tag is at most 40 characters'))
  .max(20, 'At most 20 tags')
  .transform((tags) => [...new Set(tags)].sort());

async function postToTicket(
  services: Services, viewer: Viewer | null, ticketId: number, body: string, postKind: Extract<MessageKind, 'TEXT' | 'NOTE'>,
  uploads: readonly UploadedFile[], mentionedUserIds: readonly number[] = [],
): Promise<Message> {
  assertAgent(viewer);
  const text = parseInput(uploads.length > 0 ? captionBody : messageBody, body, 'body');
  const files = await acceptUploads(services, viewer.accountId, uploads);
  const kind = postKind === 'NOTE' ? 'NOTE' : kindOfFiles(files);
  const at = services.clock.now();
  // The bytes go first; if the transaction then fails (a rule, the disk), they are removed again.
  const stored = await storeUploads(services, files);
  return services.store.write(async (tx) => {
    const ticket = await visibleTicketOrThrow(tx, ticketScopeOf(viewer), ticketId);
    const user = await tx.users.byId(viewer.accountId, viewer.userId);
    if (!user) throw new NotFoundError('User');
    if (postKind === 'TEXT') {
      if (ticket.status !== 'OPEN') throw new ConflictError('Accept the ticket before answering it', { reason: ticket.status === 'CLOSED' ? 'TICKET_CLOSED' : 'TICKET_WAITING' });
      if (viewer.role !== 'ADMIN' && ticket.assigneeId !== viewer.userId) throw new ForbiddenError('Only the assignee or an ADMIN may answer this ticket');
      assertWithinWorkingHours(user, at);
      const channel = await tx.channels.byId(viewer.accountId, ticket.channelId);
      const lastInboundAt = channel ? await tx.messages.lastInboundAt(ticket.contactId, channel.id) : null;
      if (channel && !isWindowOpen(channel.kind, lastInboundAt, at)) throw new WindowExpiredError(lastInboundAt);
    }
    const message = await tx.messages.insert({
      accountId: viewer.accountId, ticketId: ticket.id, direction: 'OUT', author: 'AGENT', authorUserId: viewer.userId,
      kind, body: text === '' ? null : text, attachments: messageAttachmentsOf(files), createdAt: at,
    });
    await tx.messages.insertAttachments(recordsOf(files, message));
    await notifyMentioned(tx, viewer, ticket, message, mentionedUserIds, at);
    // A note is internal: it is kept on the ticket but is not activity the contact sees.
    const updated = postKind === 'TEXT' ? await recordAgentAnswer(tx, ticket, message.id, viewer.userId, at) : ticket;
    await recordEvent(tx, at, viewer.accountId, 'message.created', {
      messageId: message.id, ticketId: ticket.id, actor: actorOf(viewer), kind, direction: 'OUT', placement: placementOf(updated),
    });
    return message;
  }).catch(async (error: unknown) => {
    await stored.undo();
    throw error;
  });
}

/** An answer to the contact: only by the assignee or an ADMIN, on an OPEN ticket, inside working hours. */
export function sendMessage(services: Services, viewer: Viewer | null, ticketId: number, body: string, attachments: readonly UploadedFile[] = []): Promise<Message> {
  return postToTicket(services, viewer, ticketId, body, 'TEXT', attachments);
}

/** An internal note, never delivered to the contact; anyone who sees the ticket may leave one, and mention who else may. */
export function addNote(
  services: Services, viewer: Viewer | null, ticketId: number, body: string, attachments: readonly UploadedFile[] = [], mentionedUserIds: readonly number[] = [],
): Promise<Message> {
  return postToTicket(services, viewer, ticketId, body, 'NOTE', attachments, mentionedUserIds);
}

export async function setTicketTags(services: Services, viewer: Viewer | null, ticketId: number, tags: readonly string[]): Promise<Ticket> {
  assertAgent(viewer);
  const parsed = parseInput(tagList, tags, 'tags');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const ticket = await visibleTicketOrThrow(tx, ticketScopeOf(viewer), ticketId);
    await tx.tickets.replaceTags(ticket.id, parsed);
    const actor = actorOf(viewer);
    await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'TAGGED', actorKind: actor.kind, actorId: actor.id, data: { tags: parsed }, createdAt: at });
    await recordEvent(tx, at, viewer.accountId, 'ticket.tagged', { ticketId: ticket.id, actor, tags: parsed, placement: placementOf(ticket) });
    return ticket;
  });
}

/** An agent's answer: first response, response delay since the contact's first unanswered message. */
export async function recordAgentAnswer(tx: StoreTx, ticket: Ticket, messageId: number, agentId: number, at: Date): Promise<Ticket> {
  if (ticket.pendingInboundSince) {
    await tx.monitoring.recordResponse({
      accountId: ticket.accountId, ticketId: ticket.id, sectorId: ticket.sectorId, channelId: ticket.channelId, agentId,
      respondedAt: at, delayMs: at.getTime() - ticket.pendingInboundSince.getTime(),
    });
  }
  return tx.tickets.update(ticket.id, { lastMessageId: messageId, lastActivityAt: at, firstResponseAt: ticket.firstResponseAt ?? at, pendingInboundSince: null });
}

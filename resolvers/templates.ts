import { z } from 'zod';
import type { Message, Template, Ticket } from '../db/types.js';
import { assertCanTakeTicket, assertWithinWorkingHours } from './availability.js';
import { BadUserInputError, ConflictError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import { parseInput } from './input-rules.js';
import { assertAdmin, assertAgent } from './permissions.js';
import type { Services } from './services.js';
import { actorOf, placementOf } from './tickets/common.js';
import { recordAgentAnswer } from './tickets/conversation.js';
import type { Viewer } from './viewer.js';
import { canSeeTicket, ticketScopeOf } from './visibility.js';

const templateRules = z.object({
  name: z.string().trim().regex(/^[a-z0-9_]{1,60}$/, 'Lower-case letters, digits and _, at most 60'),
  language: z.string().trim().regex(/^[a-z]{2}(_[A-Z]{2})?$/, 'A language such as pt_BR or en'),
  body: z.string().trim().min(1, 'A body is required').max(1024, 'At most 1024 characters'),
});

/** The {{1}}..{{n}} placeholders of a body: they must run from 1 without gaps. */
export function placeholdersOf(body: string): number {
  const numbers = [...body.matchAll(/\{\{(\d+)\}\}/g)].map((match) => Number(match[1]));
  return numbers.length === 0 ? 0 : Math.max(...numbers);
}

export async function listTemplates(services: Services, viewer: Viewer): Promise<Template[]> {
  return services.store.templates.list(viewer.accountId);
}

function parseTemplate(input: { name: string; language: string; body: string }) {
  const parsed = parseInput(templateRules, input, 'input');
  if (/\{\{0+\}\}/.test(parsed.body)) throw new BadUserInputError('input.body', 'Placeholders start at {{1}}');
  const count = placeholdersOf(parsed.body);
  for (let n = 1; n <= count; n++) {
    if (!parsed.body.includes(`{{${n}}}`)) throw new BadUserInputError('input.body', `Placeholders run {{1}}..{{${count}}} without gaps; {{${n}}} is missing`);
  }
  return parsed;
}

export async function updateTemplate(services: Services, viewer: Viewer | null, id: number, input: { name: string; language: string; body: string }): Promise<Template> {
  assertAdmin(viewer);
  const parsed = parseTemplate(input);
  return services.store.write(async (tx) => {
    if (await tx.templates.exists(viewer.accountId, parsed.name, parsed.language, id)) throw new BadUserInputError('input.name', 'A template with this name and language exists');
    const updated = await tx.templates.update(viewer.accountId, id, parsed);
    if (!updated) throw new NotFoundError('Template');
    return updated;
  });
}

/** Messages already sent keep their text; the template is simply no longer offered. */
export async function deleteTemplate(services: Services, viewer: Viewer | null, id: number): Promise<boolean> {
  assertAdmin(viewer);
  return services.store.write(async (tx) => {
    if (!(await tx.templates.delete(viewer.accountId, id))) throw new NotFoundError('Template');
    return true;
  });
}

export async function createTemplate(services: Services, viewer: Viewer | null, input: { name: string; language: string; body: string }): Promise<Template> {
  assertAdmin(viewer);
  const parsed = parseTemplate(input);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    if (await tx.templates.exists(viewer.accountId, parsed.name, parsed.language)) {
      throw new BadUserInputError('input.name', 'A template with this name and language exists');
    }
    return tx.templates.insert({ accountId: viewer.accountId, ...parsed, createdAt: at });
  });
}

export interface TemplateMessageInput {
  contactId: number;
  templateId: number;
  variables: readonly string[];
  channelId?: number | null;
}

/**
 * An active message: fills the template's {{n}} with `variables` (exactly as many, none empty) and
 * sends it on the contact's live ticket of that channel, taking it if waiting, or on a new ticket
 * assigned to the sender. Another agent's open ticket is theirs: CONFLICT.
 */
export async function sendTemplateMessage(services: Services, viewer: Viewer | null, input: TemplateMessageInput): Promise<{ message: Message; ticket: Ticket }> {
  assertAgent(viewer);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const template = await tx.templates.byId(viewer.accountId, input.templateId);
    if (!template) throw new BadUserInputError('templateId', 'Unknown template');
    const expected = placeholdersOf(template.body);
    if (input.variables.length !== expected) throw new BadUserInputError('variables', `This template takes exactly ${expected} variables`);
    input.variables.forEach((value, index) => {
      if (!value.trim()) throw new BadUserInputError(`variables.${index}`, `{{${index + 1}}} cannot be empty`);
    });
    const [contact] = await tx.contacts.byIds(viewer.accountId, [input.contactId]);
    if (!contact) throw new NotFoundError('Contact');
    const channel = input.channelId ? await tx.channels.byId(viewer.accountId, input.channelId) : await tx.channels.defaultOf(viewer.accountId);
    if (!channel) throw new BadUserInputError('channelId', 'Unknown channel');
    const user = await tx.users.byId(viewer.accountId, viewer.userId);
    if (!user) throw new NotFoundError('User');
    const actor = actorOf(viewer);

    let ticket = await tx.tickets.liveOf(viewer.accountId, contact.id, channel.id);
    // A live conversation in a queue I do not see is not mine to take over.
    if (ticket && !canSeeTicket(ticketScopeOf(viewer), ticket)) throw new ConflictError('The contact is in a conversation in another queue', { reason: 'CONTACT_IN_ANOTHER_QUEUE' });
    if (ticket?.status === 'OPEN' && ticket.assigneeId !== viewer.userId) {
      throw new ConflictError('Another agent is serving this contact', { reason: 'CONTACT_SERVED_BY_OTHER', assigneeId: ticket.assigneeId });
    }
    if (ticket?.status === 'OPEN') {
      assertWithinWorkingHours(user, at);
    } else {
      assertCanTakeTicket(user, await tx.tickets.openCountOf(viewer.accountId, viewer.userId), at);
      if (ticket) {
        const taken = await tx.tickets.transition(ticket.id, { status: 'WAITING', assigneeId: null }, { status: 'OPEN', assigneeId: viewer.userId, acceptedAt: at, queuedAt: null });
        if (!taken) throw new ConflictError('The ticket changed meanwhile; reload it');
        await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'ACCEPTED', actorKind: actor.kind, actorId: actor.id, data: { byActiveMessage: true }, createdAt: at });
        await recordEvent(tx, at, viewer.accountId, 'ticket.statusChanged', { ticketId: ticket.id, actor, before: placementOf(ticket), after: placementOf(taken) });
        ticket = taken;
      } else {
        const protocol = await tx.tickets.nextProtocol(viewer.accountId);
        ticket = await tx.tickets.insert(
          {
            accountId: viewer.accountId, contactId: contact.id, channelId: channel.id, sectorId: viewer.sectorIds[0] ?? null, assigneeId: viewer.userId,
            status: 'OPEN', lastMessageId: null, outOfHours: false, callbackRequested: null, closedBy: null, closedById: null,
            createdAt: at, queuedAt: null, acceptedAt: at, firstResponseAt: null, closedAt: null, lastActivityAt: at, pendingInboundSince: null,
          },
          protocol,
        );
        await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'CREATED', actorKind: actor.kind, actorId: actor.id, data: { byActiveMessage: true }, createdAt: at });
        await recordEvent(tx, at, viewer.accountId, 'ticket.created', { ticketId: ticket.id, actor, after: placementOf(ticket) });
      }
    }
    const body = template.body.replace(/\{\{(\d+)\}\}/g, (_match, n: string) => input.variables[Number(n) - 1]!);
    const message = await tx.messages.insert({
      accountId: viewer.accountId, ticketId: ticket.id, direction: 'OUT', author: 'AGENT', authorUserId: viewer.userId,
      kind: 'TEMPLATE', body, attachments: [], createdAt: at,
    });
    ticket = await recordAgentAnswer(tx, ticket, message.id, viewer.userId, at);
    await recordEvent(tx, at, viewer.accountId, 'message.created', { messageId: message.id, ticketId: ticket.id, actor, kind: 'TEMPLATE', direction: 'OUT', placement: placementOf(ticket) });
    return { message, ticket };
  });
}

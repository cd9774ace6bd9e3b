import type { StoreTx } from '../../db/store.js';
import type { Channel, Sector, SectorMenu, Ticket } from '../../db/types.js';
import { isAbsentAt } from '../absence.js';
import { recordEvent, type Actor } from '../events.js';
import { channelTexts, type ChannelTexts } from '../auto-texts.js';
import { isWithinHours, nextOpening } from '../hours.js';
import { routeWaitingTicket } from './routing.js';
import { placementOf } from './common.js';
import { postSystemMessage } from './system-messages.js';

// What happens when a contact writes and nobody is there: out-of-hours reply and call-back offer,
// the sector menu, the assignee's absence message, and routing. Each automatic reply is claimed in
// ticket_auto_replies first, so it is sent exactly once however many messages arrive.

export interface Inbound {
  ticket: Ticket;
  channel: Channel;
  /** The sector the message named, as the transaction read it. */
  sector: Sector | null;
  body: string | null;
  isNewTicket: boolean;
  at: Date;
  actor: Actor;
}

/** What the handlers work with: the inbound message and the channel's texts in the contact's language. */
interface Intake extends Inbound {
  /** Read when a text is about to be sent: most messages get no automatic reply, and need no account read. */
  texts(): Promise<ChannelTexts>;
}

const yes = /^\s*(1|y|yes|s|sim|s[ií])\s*[.!]?\s*$/i;
const no = /^\s*(2|n|no|n[aã]o)\s*[.!]?\s*$/i;

async function menuText(tx: StoreTx, ticket: Ticket, menu: SectorMenu, retry: string | null): Promise<string> {
  const sectors = await tx.sectors.byIds(ticket.accountId, menu.sectorIds);
  const byId = new Map(sectors.map((sector) => [sector.id, sector]));
  const lines = menu.sectorIds.flatMap((id, index) => (byId.get(id) ? [`${index + 1} - ${byId.get(id)!.name}`] : []));
  return `${retry ? `${retry}\n` : ''}${menu.greeting}\n${lines.join('\n')}`;
}

/** While the sector menu waits for an answer, numbers belong to it: no call-back question then. */
const menuPending = (channel: Channel, ticket: Ticket) => channel.menu !== null && ticket.status === 'WAITING' && ticket.sectorId === null;
const outOfHoursReply = 0;
const callbackQuestion = 1;

async function handleOutOfHours(tx: StoreTx, inbound: Intake, ticket: Ticket): Promise<{ ticket: Ticket; consumed: boolean }> {
  const { channel, at } = inbound;
  // A call-back question that was asked takes the contact's next yes/no, open or closed. It is asked only
  // on a ticket marked out of hours (below, and never unmarked), so other tickets skip the read.
  if (ticket.outOfHours && ticket.callbackRequested === null && inbound.body && (await tx.intake.hasAutoReply(ticket.id, 'OUT_OF_HOURS', callbackQuestion))) {
    const answer = yes.test(inbound.body) ? true : no.test(inbound.body) ? false : null;
    if (answer !== null) return { ticket: await tx.tickets.update(ticket.id, { callbackRequested: answer }), consumed: true };
  }
  if (!channel.businessHours || isWithinHours(channel.businessHours, at)) return { ticket, consumed: false };
  let current = ticket.outOfHours ? ticket : await tx.tickets.update(ticket.id, { outOfHours: true });
  await tx.intake.recordAfterHours({ accountId: ticket.accountId, channelId: channel.id, contactId: ticket.contactId, ticketId: ticket.id, wroteAt: at });
  // A channel offering call-backs answers even without its own reply (the default of its language), or the question would never be asked.
  const replies = channel.outOfHoursReply !== null || channel.offerCallback;
  if (replies && (await tx.intake.claimAutoReply(ticket.id, 'OUT_OF_HOURS', outOfHoursReply, at))) {
    const texts = await inbound.texts();
    const when = texts.nextOpening(nextOpening(channel.businessHours, at), channel.businessHours.timeZone);
    const ask = channel.offerCallback && !menuPending(channel, ticket) && (await tx.intake.claimAutoReply(ticket.id, 'OUT_OF_HOURS', callbackQuestion, at));
    const offer = ask ? `\n${texts.callbackQuestion}` : '';
    current = await postSystemMessage(tx, current, `${texts.outOfHours.replaceAll('{{next_opening}}', when)}${offer}`, at);
  }
  return { ticket: current, consumed: false };
}

async function handleMenu(tx: StoreTx, inbound: Intake, ticket: Ticket): Promise<Ticket> {
  const menu = inbound.channel.menu;
  if (!menu || ticket.status !== 'WAITING' || ticket.sectorId !== null) return ticket;
  const shown = await tx.intake.autoRepliesOf(ticket.id, 'MENU');
  if (shown === 0) {
    if (!(await tx.intake.claimAutoReply(ticket.id, 'MENU', 1, inbound.at))) return ticket;
    return postSystemMessage(tx, ticket, await menuText(tx, ticket, menu, null), inbound.at);
  }
  const choice = /^\s*(\d{1,3})\s*$/.exec(inbound.body ?? '')?.[1];
  const sectorId = choice ? menu.sectorIds[Number(choice) - 1] : undefined;
  const sector = sectorId ? await tx.sectors.byId(ticket.accountId, sectorId) : null;
  if (sector) {
    const chosen = await tx.tickets.update(ticket.id, { sectorId: sector.id, queuedAt: inbound.at });
    await tx.messages.recordHistory({ ticketId: ticket.id, kind: 'TRANSFERRED', actorKind: 'SYSTEM', actorId: null, data: { toSectorId: sector.id, byMenu: true }, createdAt: inbound.at });
    await recordEvent(tx, inbound.at, ticket.accountId, 'ticket.transferred', { ticketId: ticket.id, actor: inbound.actor, before: placementOf(ticket), after: placementOf(chosen) });
    return sector.greeting ? postSystemMessage(tx, chosen, sector.greeting, inbound.at) : chosen;
  }
  // One more try; after that the ticket waits without a sector, where ADMINs see it.
  if (shown === 1 && (await tx.intake.claimAutoReply(ticket.id, 'MENU', 2, inbound.at))) {
    return postSystemMessage(tx, ticket, await menuText(tx, ticket, menu, (await inbound.texts()).menuRetry), inbound.at);
  }
  return ticket;
}

async function handleAbsence(tx: StoreTx, inbound: Intake, ticket: Ticket): Promise<Ticket> {
  if (ticket.status !== 'OPEN' || ticket.assigneeId === null) return ticket;
  const absence = await tx.intake.absenceOf(ticket.assigneeId);
  if (!isAbsentAt(absence, inbound.at) || !absence?.message) return ticket;
  if (!(await tx.intake.claimAutoReply(ticket.id, 'ABSENCE', ticket.assigneeId, inbound.at))) return ticket;
  const colleague = absence.suggestedUserId ? await tx.users.byId(ticket.accountId, absence.suggestedUserId) : null;
  const suggestion = colleague?.active ? `\n${(await inbound.texts()).absenceSuggestion(colleague.name)}` : '';
  return postSystemMessage(tx, ticket, `${absence.message}${suggestion}`, inbound.at);
}

/** Runs after the contact's message is stored, in the same transaction. */
export async function automateIntake(tx: StoreTx, message: Inbound): Promise<Ticket> {
  let texts: ChannelTexts | undefined;
  const inbound: Intake = {
    ...message,
    // The account is read only when the channel does not name the contact's language itself.
    texts: async () => (texts ??= channelTexts(message.channel, message.channel.locale ?? (await tx.accounts.byId(message.ticket.accountId))?.locale ?? 'en')),
  };
  const hours = await handleOutOfHours(tx, inbound, inbound.ticket);
  let ticket = hours.ticket;
  if (!hours.consumed) ticket = await handleMenu(tx, inbound, ticket);
  ticket = await handleAbsence(tx, inbound, ticket);
  return routeWaitingTicket(tx, ticket, inbound.at, inbound.sector);
}

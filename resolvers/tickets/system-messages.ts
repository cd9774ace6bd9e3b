import type { StoreTx } from '../../db/store.js';
import type { Ticket } from '../../db/types.js';
import { recordEvent } from '../events.js';
import { placementOf } from './common.js';

/** An automatic reply to the contact (menu, absence, out-of-hours), kept on the ticket like any message. */
export async function postSystemMessage(tx: StoreTx, ticket: Ticket, body: string, at: Date): Promise<Ticket> {
  const message = await tx.messages.insert({
    accountId: ticket.accountId, ticketId: ticket.id, direction: 'OUT', author: 'SYSTEM', authorUserId: null,
    kind: 'TEXT', body, attachments: [], createdAt: at,
  });
  const updated = await tx.tickets.update(ticket.id, { lastMessageId: message.id, lastActivityAt: at });
  await recordEvent(tx, at, ticket.accountId, 'message.created', {
    messageId: message.id, ticketId: ticket.id, actor: { kind: 'SYSTEM', id: null }, kind: 'TEXT', direction: 'OUT', placement: placementOf(updated),
  });
  return updated;
}

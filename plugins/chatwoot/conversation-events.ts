import type { PluginApi } from '../runtime/contract.js';
import { answer, type BridgeAnswer } from './answers.js';
import type { ChatwootConfig } from './config.js';
import type { Links } from './links.js';
import { accountOf, type ContactChanged, type ConversationStatusChanged } from './payloads.js';

const TICKET = `query ChatwootTicket($id: ID!) { ticket(id: $id) { id status } }`;
const CANCEL = `mutation ChatwootCancel($id: ID!) { cancelTicket(id: $id, onlyIfStatus: WAITING) { id status closedBy } }`;

type TicketRead = { ticket: { id: string; status: 'WAITING' | 'OPEN' | 'CLOSED' } | null };

const foreignAccount = (config: ChatwootConfig, payload: Parameters<typeof accountOf>[0]) => {
  const account = accountOf(payload);
  return account !== null && account !== config.accountId ? account : null;
};

/**
 * Resolved in Chatwoot (by an agent there, a bot, or its auto-resolve after inactivity) while the
 * ticket still waits in a Deskgraph queue: nobody here has it, and the contact's request is settled
 * or abandoned at the source, so it leaves the queue as cancelled (CLOSED by CONTACT, counted as
 * lost, like a contact giving up). A ticket an agent already took stays theirs to close: Chatwoot's
 * inactivity timer must not take it from under them. Other statuses (open, pending, snoozed) change
 * nothing here; a contact writing again reopens the Chatwoot side by itself.
 */
export async function conversationStatusChanged(api: PluginApi<ChatwootConfig>, links: Links, payload: ConversationStatusChanged): Promise<BridgeAnswer> {
  const { config } = api;
  const foreign = foreignAccount(config, payload);
  if (foreign !== null) return answer.ignored(`Chatwoot account ${foreign} is not bridged here`);
  if (payload.status !== 'resolved') return answer.ignored(`status ${payload.status ?? '(none)'} changes nothing in Deskgraph`);
  const link = await links.ticketOfConversation(payload.id);
  if (!link) return answer.ignored(`conversation ${payload.id} has no ticket`);

  const read = await api.graphql<TicketRead>(config.deskgraphAccountId, TICKET, { id: link.ticketId });
  if (read.errors?.length) throw new Error(`reading ticket ${link.ticketId} failed: ${read.errors.map((e) => e.message).join('; ')}`);
  const ticket = read.data?.ticket;
  if (!ticket) return answer.ignored(`ticket ${link.ticketId} is gone`);
  if (ticket.status !== 'WAITING') return answer.ignored(`ticket ${ticket.id} is ${ticket.status}: its agent closes it`);

  const cancelled = await api.graphql(config.deskgraphAccountId, CANCEL, { id: ticket.id });
  const error = cancelled.errors?.[0];
  // Accepted or closed between the read and the cancel: the agent won, leave it.
  if (error?.extensions?.['code'] === 'CONFLICT') return answer.ignored(`ticket ${ticket.id} changed meanwhile: ${error.message}`);
  if (error) throw new Error(`cancelTicket ${ticket.id} failed: ${error.message}`);
  return answer.done('ticket cancelled', { ticketId: ticket.id, conversationId: payload.id });
}

/**
 * Deskgraph's contact details are the agents' (updateContact is for agents, not integrations), so the
 * bridge only remembers what Chatwoot says: the phone fills in when a later message's sender lacks
 * one, the name when the ticket opens, and the link to the Deskgraph contact once one exists.
 */
export async function contactChanged(api: PluginApi<ChatwootConfig>, links: Links, payload: ContactChanged): Promise<BridgeAnswer> {
  const foreign = foreignAccount(api.config, payload);
  if (foreign !== null) return answer.ignored(`Chatwoot account ${foreign} is not bridged here`);
  await links.recordContactDetails(payload.id, {
    name: payload.name || null,
    phone: payload.phone_number || null,
    email: payload.email || null,
    identifier: payload.identifier || null,
  });
  return answer.done('contact recorded', { chatwootContactId: payload.id, contactId: await links.deskgraphContactOf(payload.id) });
}

import type { PluginApi } from '../runtime/contract.js';
import type { PublicEvent } from '../../resolvers/events/event-contract.js';
import { postToChatwoot } from './chatwoot-api.js';
import type { ChatwootConfig } from './config.js';
import type { Links } from './links.js';

/**
 * An agent (or ADMIN) closes a bridged ticket: the Chatwoot conversation is resolved too, so it leaves
 * Chatwoot's open lists. A ticket closed by CONTACT came from Chatwoot (resolved there, or the contact
 * gave up), so nothing goes back. Resolving an already resolved conversation changes nothing there.
 */
export function resolveClosedConversations(api: PluginApi<ChatwootConfig>, links: Links): void {
  const { config } = api;
  async function resolve(event: PublicEvent<'ticket.closed'>): Promise<void> {
    if (event.data.closedBy === 'CONTACT') return;
    const link = await links.conversationOfTicket(event.data.ticket.id);
    if (!link || link.chatwootAccountId !== config.accountId) return;
    await postToChatwoot(config, `/conversations/${link.conversationId}/toggle_status`, { status: 'resolved' });
  }
  api.on('ticket.closed', resolve, { when: (_type, accountId) => accountId === config.deskgraphAccountId });
}

import type { PluginApi } from '../runtime/contract.js';
import type { ChatwootConfig } from './config.js';
import type { Links } from './links.js';

/** An ADMIN erased a contact (LGPD, GDPR): the bridge's own copy of what Chatwoot said about them goes too. */
export function forgetErasedContacts(api: PluginApi<ChatwootConfig>, links: Links): void {
  api.on('contact.erased', (event) => links.forgetContact(event.data.contact.id), { when: (_type, accountId) => accountId === api.config.deskgraphAccountId });
}

import type { DeskgraphPlugin } from '../runtime/contract.js';
import { chatwootConfig, type ChatwootConfig } from './config.js';
import { linksOf } from './links.js';
import { resolveClosedConversations } from './closings.js';
import { forgetErasedContacts } from './erasures.js';
import { forwardReplies } from './replies.js';
import { chatwootWebhook } from './webhook.js';

// Built-in: the Chatwoot bridge (PLUGINS=chatwoot). Chatwoot keeps the channels (WhatsApp, widget,
// e-mail ...); Deskgraph keeps the queue and the agents. Contacts' messages come in through Chatwoot's
// webhook, agents' replies go out through Chatwoot's API. See plugins/README.md.

export const plugin: DeskgraphPlugin<ChatwootConfig> = {
  name: 'chatwoot',
  config: chatwootConfig,
  setup(api) {
    const links = linksOf(api.records, api.config.deskgraphAccountId, api.config.accountId);
    api.route('POST', '/webhook', chatwootWebhook(api, links));
    forwardReplies(api, links);
    resolveClosedConversations(api, links);
    forgetErasedContacts(api, links);
    api.log.info(
      { baseUrl: api.config.baseUrl, chatwootAccountId: api.config.accountId, inboxes: api.config.inboxes ? Object.keys(api.config.inboxes) : 'all, to the default channel' },
      'chatwoot bridge ready',
    );
  },
};

export default plugin;

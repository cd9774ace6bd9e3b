import type { PluginApi } from '../runtime/contract.js';
import { postFormToChatwoot, postToChatwoot } from './chatwoot-api.js';
import type { PublicEvent } from '../../resolvers/events/event-contract.js';
import type { ChatwootConfig } from './config.js';
import type { Links } from './links.js';

// An agent answers a ticket that came from Chatwoot: the reply goes to the conversation through
// Chatwoot's API, and Chatwoot delivers it on the contact's channel. Chatwoot then sends the reply
// back as an outgoing message_created, which the webhook ignores.

type MessageEvent = PublicEvent<'message.created'>;
type Reply = MessageEvent['data']['message'];

/** Only what an agent says to the contact: internal notes never leave, and the contact's own messages came from Chatwoot. */
export function isReplyToContact(message: Reply): boolean {
  return message.direction === 'OUT' && message.author === 'AGENT' && message.kind !== 'NOTE';
}

/** Files uploaded to Deskgraph go to Chatwoot as files; a channel's own links go as lines under the text. */
export function contentOf(message: Reply): string {
  const links = message.attachments.filter((file) => file.id === null).map((file) => (file.name ? `${file.name}: ${file.url}` : file.url));
  return [message.body?.trim() ? message.body : null, ...links].filter((part): part is string => !!part).join('\n');
}

function chatwootMessageIdOf(text: string): number | null {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'number' ? id : null;
  } catch {
    return null;
  }
}

/** Chatwoot's multipart message: the text, and each file as `attachments[]` (read through the plugin API). */
async function formWithFiles(api: PluginApi<ChatwootConfig>, accountId: number, content: string, files: Reply['attachments']): Promise<FormData> {
  const form = new FormData();
  form.set('content', content);
  form.set('message_type', 'outgoing');
  form.set('private', 'false');
  for (const file of files) {
    const stored = await api.attachments.read(accountId, file.id!);
    // Gone from storage (removed by hand): retrying cannot bring it back, so the text goes without it.
    if (!stored) {
      api.log.warn({ attachmentId: file.id }, 'attachment not found in storage; sent without it');
      continue;
    }
    form.append('attachments[]', new Blob([new Uint8Array(stored.bytes)], { type: stored.mime }), stored.name ?? `${file.id}`);
  }
  return form;
}

export function forwardReplies(api: PluginApi<ChatwootConfig>, links: Links): void {
  const { config, log } = api;

  async function forward(event: MessageEvent): Promise<void> {
    const { message, ticket } = event.data;
    if (!isReplyToContact(message)) return;
    const link = await links.conversationOfTicket(ticket.id);
    if (!link) return; // a ticket from another channel
    if (link.chatwootAccountId !== config.accountId) {
      log.warn({ ticketId: ticket.id, chatwootAccountId: link.chatwootAccountId }, 'reply not sent: the ticket belongs to another Chatwoot account than CHATWOOT_ACCOUNT_ID');
      return;
    }
    // The outbox delivers at least once: a replay after a crash must not post the reply twice.
    if (await links.sentReply(message.id)) return;
    const content = contentOf(message);
    const uploaded = message.attachments.filter((file) => file.id !== null);
    if (!content && uploaded.length === 0) return;

    const path = `/conversations/${link.conversationId}/messages`;
    const text = uploaded.length === 0
      ? await postToChatwoot(config, path, { content, message_type: 'outgoing', private: false })
      : await postFormToChatwoot(config, path, await formWithFiles(api, config.deskgraphAccountId, content, uploaded));
    await links.recordSentReply(message.id, { conversationId: link.conversationId, chatwootMessageId: chatwootMessageIdOf(text) });
  }

  // Only events of the bridged account are read in full; the relay skips the rest for free.
  api.on('message.created', forward, { when: (_type, accountId) => accountId === config.deskgraphAccountId });
}

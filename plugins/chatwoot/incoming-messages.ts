import type { PluginApi } from '../runtime/contract.js';
import type { ChatwootConfig } from './config.js';
import type { Links } from './links.js';
import type { ChatwootAttachment, MessageCreated } from './payloads.js';
import { accountOf } from './payloads.js';
import { answer, type BridgeAnswer } from './answers.js';

// A contact wrote in a Chatwoot inbox: hand the message over with ingestMessage, as any channel does,
// through the plugin's own integration (INGEST + READ), nothing private.

const INGEST = `mutation ChatwootIngest($input: IngestMessageInput!) {
  ingestMessage(input: $input) { id status contact { id } }
}`;

type Ingested = { ingestMessage: { id: string; status: string; contact: { id: string } } };

// Deskgraph's limits (resolvers/tickets/ingest.ts): longer Chatwoot texts (e-mails) are cut, not refused.
const MAX_BODY = 4096;
const MAX_NAME = 120;
const MAX_FILES = 10;

const mimeByExtension: Record<string, string> = {
  jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', heic: 'image/heic',
  mp3: 'audio/mpeg', ogg: 'audio/ogg', oga: 'audio/ogg', opus: 'audio/ogg', m4a: 'audio/mp4', aac: 'audio/aac', wav: 'audio/wav', amr: 'audio/amr',
  mp4: 'video/mp4', '3gp': 'video/3gpp', mov: 'video/quicktime', webm: 'video/webm',
  pdf: 'application/pdf', txt: 'text/plain', csv: 'text/csv', zip: 'application/zip',
};
const kindByFileType: Record<string, 'IMAGE' | 'AUDIO' | 'DOCUMENT'> = { image: 'IMAGE', audio: 'AUDIO', video: 'DOCUMENT', file: 'DOCUMENT' };

const isWebUrl = (url: string | null | undefined): url is string => !!url && /^https?:\/\//i.test(url);

/** Chatwoot gives no file name: its storage URLs end with one. */
function fileNameOf(url: string): string | null {
  try {
    const last = new URL(url).pathname.split('/').pop();
    return last ? decodeURIComponent(last).slice(0, 255) : null;
  } catch {
    return null;
  }
}

function mimeOf(attachment: ChatwootAttachment, url: string): string {
  const extension = (attachment.extension || fileNameOf(url)?.split('.').pop() || '').toLowerCase().replace(/^\./, '');
  return mimeByExtension[extension] ?? 'application/octet-stream';
}

/** Files become attachments; locations and other links (and files past Deskgraph's ten) become lines of text. */
export function contentOf(message: Pick<MessageCreated, 'content' | 'attachments'>) {
  const lines: string[] = [];
  const attachments: { url: string; mime: string; name: string | null }[] = [];
  let kind: 'TEXT' | 'IMAGE' | 'AUDIO' | 'DOCUMENT' = 'TEXT';
  for (const attachment of message.attachments ?? []) {
    const url = attachment.data_url;
    if (!isWebUrl(url)) continue;
    const fileKind = kindByFileType[attachment.file_type ?? ''];
    if (fileKind && attachments.length < MAX_FILES) {
      if (attachments.length === 0) kind = fileKind;
      attachments.push({ url, mime: mimeOf(attachment, url), name: fileNameOf(url) });
    } else {
      lines.push(`${attachment.fallback_title || attachment.file_type || 'link'}: ${url}`);
    }
  }
  const text = [message.content?.trim() ? message.content : null, ...lines].filter((part): part is string => !!part).join('\n');
  const body = text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
  return { body: body || null, attachments, kind, cut: text.length > MAX_BODY };
}

/** undefined: the default channel (no inbox map); null: an inbox the map leaves out, not bridged. */
function channelFor(config: ChatwootConfig, inboxId: number | null): string | null | undefined {
  if (!config.inboxes) return undefined;
  return inboxId === null ? null : (config.inboxes[String(inboxId)] ?? null);
}

export async function handIncomingMessage(api: PluginApi<ChatwootConfig>, links: Links, message: MessageCreated): Promise<BridgeAnswer> {
  const { config, log } = api;
  // Outgoing, template and activity messages are Chatwoot's own: its agents, its bots, and the echo of
  // every reply this bridge posts. Handing them over would loop our own replies back as the contact's.
  if (message.message_type !== 'incoming') return answer.ignored(`${message.message_type} messages are not the contact's`);
  if (message.private) return answer.ignored('private notes stay in Chatwoot');
  const account = accountOf(message);
  if (account !== null && account !== config.accountId) return answer.ignored(`Chatwoot account ${account} is not bridged here`);

  const conversationId = message.conversation.id;
  const inboxId = message.inbox?.id ?? message.conversation.inbox_id ?? null;
  const channelId = channelFor(config, inboxId);
  if (channelId === null) return answer.ignored(`inbox ${inboxId ?? '(none)'} is not in CHATWOOT_INBOXES`);

  const sender = message.sender ?? message.conversation.meta?.sender ?? null;
  const known = sender ? await links.contactDetails(sender.id) : null;
  const phone = sender?.phone_number || message.conversation.meta?.sender?.phone_number || known?.phone || null;
  if (!phone) {
    // Deskgraph knows a contact by phone; a web-widget visitor without one cannot become a ticket.
    log.info({ conversationId, chatwootContactId: sender?.id ?? null, messageId: message.id }, 'chatwoot message not handed over: the contact has no phone number');
    return answer.refused('the contact has no phone number; Deskgraph contacts are keyed by phone');
  }

  const content = contentOf(message);
  if (!content.body && content.attachments.length === 0) return answer.ignored('nothing to hand over (no text, no file)');
  if (content.cut) log.warn({ conversationId, messageId: message.id }, `chatwoot message cut to ${MAX_BODY} characters`);

  const name = (sender?.name || known?.name || '').trim().slice(0, MAX_NAME) || null;
  const result = await api.graphql<Ingested>(config.deskgraphAccountId, INGEST, {
    input: {
      channelId,
      contact: { phone, name, externalId: sender ? `chatwoot:${config.accountId}:contact:${sender.id}` : null },
      body: content.body,
      kind: content.kind,
      attachments: content.attachments.length > 0 ? content.attachments : null,
      // Chatwoot delivers again when a webhook call times out; the same id makes it a no-op.
      externalId: `chatwoot:${config.accountId}:${message.id}`,
    },
  });
  const refusal = result.errors?.find((error) => error.extensions?.['code'] === 'BAD_USER_INPUT');
  if (refusal) {
    log.warn({ conversationId, messageId: message.id, field: refusal.extensions?.['field'], error: refusal.message }, 'chatwoot message refused by ingestMessage');
    return answer.invalid(refusal.message, refusal.extensions?.['field']);
  }
  if (result.errors?.length || !result.data) throw new Error(`ingestMessage failed: ${result.errors?.map((e) => e.message).join('; ') ?? 'no data'}`);

  const ticket = result.data.ingestMessage;
  await links.linkConversation(conversationId, { ticketId: ticket.id, inboxId, chatwootContactId: sender?.id ?? null });
  if (sender) await links.linkContact(sender.id, ticket.contact.id);
  return answer.done('ingested', { ticketId: ticket.id, ticketStatus: ticket.status, conversationId });
}

import type { TestApp } from './app.js';

// Chatwoot webhook payloads shaped as Chatwoot builds them (Message#webhook_data, Conversation#webhook_data
// via the EventDataPresenter, Contact#webhook_data), trimmed to realistic fields.

export const CHATWOOT_ACCOUNT = 7;
export const CHATWOOT_SECRET = 'chatwoot-webhook-secret-0123456789';
export const CHATWOOT_TOKEN = 'cw-agent-bot-token-abc';

export interface ChatwootPerson {
  id: number;
  name: string;
  phone: string | null;
  email?: string | null;
}

const account = { id: CHATWOOT_ACCOUNT, name: 'Acme Support' };

export function contactData(person: ChatwootPerson) {
  return {
    account,
    additional_attributes: {},
    avatar: '',
    custom_attributes: {},
    email: person.email ?? null,
    id: person.id,
    identifier: null,
    name: person.name,
    phone_number: person.phone,
    thumbnail: '',
  };
}

export function conversationData(conversation: { id: number; inboxId: number; status?: string; contact: ChatwootPerson }) {
  const now = Math.floor(Date.now() / 1000);
  return {
    additional_attributes: {},
    can_reply: true,
    channel: 'Channel::Whatsapp',
    contact_inbox: { id: 900 + conversation.contact.id, contact_id: conversation.contact.id, inbox_id: conversation.inboxId, source_id: conversation.contact.phone ?? 'visitor', hmac_verified: false },
    id: conversation.id,
    inbox_id: conversation.inboxId,
    messages: [],
    labels: [],
    meta: {
      sender: { additional_attributes: {}, custom_attributes: {}, email: conversation.contact.email ?? null, id: conversation.contact.id, identifier: null, name: conversation.contact.name, phone_number: conversation.contact.phone, thumbnail: '', type: 'contact' },
      assignee: null,
      team: null,
      hmac_verified: false,
    },
    status: conversation.status ?? 'open',
    custom_attributes: {},
    snoozed_until: null,
    unread_count: 1,
    first_reply_created_at: null,
    priority: null,
    waiting_since: now,
    agent_last_seen_at: 0,
    contact_last_seen_at: 0,
    last_activity_at: now,
    timestamp: now,
    created_at: now,
    updated_at: now,
  };
}

export interface ChatwootMessage {
  id: number;
  conversationId: number;
  inboxId?: number;
  contact: ChatwootPerson;
  content: string | null;
  messageType?: 'incoming' | 'outgoing' | 'activity' | 'template';
  private?: boolean;
  attachments?: Array<{ file_type: string; data_url: string; extension?: string | null; fallback_title?: string }>;
}

/** message_created: for an incoming message the sender is the contact; for an outgoing one, an agent. */
export function messageCreated(message: ChatwootMessage) {
  const inboxId = message.inboxId ?? 11;
  const type = message.messageType ?? 'incoming';
  const sender = type === 'incoming' ? contactData(message.contact) : { id: 3, name: 'Chatwoot Agent', email: 'agent@acme.test', type: 'user', availability_status: 'online' };
  return {
    event: 'message_created',
    account,
    additional_attributes: {},
    content_attributes: {},
    content_type: 'text',
    content: message.content,
    conversation: conversationData({ id: message.conversationId, inboxId, contact: message.contact }),
    created_at: new Date().toISOString(),
    id: message.id,
    inbox: { id: inboxId, name: `Inbox ${inboxId}` },
    message_type: type,
    private: message.private ?? false,
    sender,
    source_id: `wamid.${message.id}`,
    ...(message.attachments ? { attachments: message.attachments.map((a, i) => ({ id: 500 + i, message_id: message.id, account_id: CHATWOOT_ACCOUNT, extension: null, thumb_url: '', file_size: 1000, ...a })) } : {}),
  };
}

export function statusChanged(conversation: { id: number; inboxId?: number; status: string; contact: ChatwootPerson }) {
  return { ...conversationData({ ...conversation, inboxId: conversation.inboxId ?? 11 }), event: 'conversation_status_changed', changed_attributes: [{ status: { previous_value: 'open', current_value: conversation.status } }] };
}

export function contactEvent(event: 'contact_created' | 'contact_updated', person: ChatwootPerson) {
  return { ...contactData(person), event, ...(event === 'contact_updated' ? { changed_attributes: [{ phone_number: { previous_value: null, current_value: person.phone } }] } : {}) };
}

/** POSTs a payload to the bridge's webhook, with the secret in the query string as Chatwoot's settings allow. */
export async function deliverToBridge(app: TestApp, payload: unknown, options: { secret?: string | null; header?: string } = {}) {
  const secret = options.secret === undefined ? CHATWOOT_SECRET : options.secret;
  const url = `${app.url.replace(/\/graphql$/, '')}/plugins/chatwoot/webhook${secret === null ? '' : `?secret=${encodeURIComponent(secret)}`}`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.header ? { 'x-chatwoot-webhook-secret': options.header } : {}) },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

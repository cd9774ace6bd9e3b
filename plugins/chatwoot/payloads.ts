import { z } from 'zod';

// Chatwoot's webhook payloads, as its models build them (app/listeners/webhook_listener.rb):
// message_created is Message#webhook_data, conversation_* is Conversation#webhook_data (the
// EventDataPresenter's push_data), contact_* is Contact#webhook_data; each plus `event`.
// Only the fields the bridge reads are checked; the rest passes through (loose objects), so a newer
// Chatwoot that adds fields keeps working. Ids arrive as numbers (old docs show strings: coerced).

const id = z.coerce.number().int().positive();
const text = z.string().nullish();

/** Contact#webhook_data (and push_event_data, in conversation.meta.sender). Older Chatwoots sent no phone here. */
export const chatwootContact = z.looseObject({
  id,
  name: text,
  email: text,
  phone_number: text,
  identifier: text,
  account: z.looseObject({ id }).nullish(),
});

/** Attachment#push_event_data: files carry data_url; location and fallback carry an external link there. */
const attachment = z.looseObject({
  file_type: z.string().nullish(),
  data_url: text,
  extension: text,
  fallback_title: text,
});

/** Conversation#webhook_data: `id` is the display id, the one Chatwoot's API takes. */
export const chatwootConversation = z.looseObject({
  id,
  inbox_id: id.nullish(),
  status: text,
  account_id: id.nullish(),
  meta: z.looseObject({ sender: chatwootContact.nullish() }).nullish(),
});

const messageTypes = ['incoming', 'outgoing', 'activity', 'template'] as const;
/** The webhook names the type; push_event_data (agent bots, older payloads) numbers it in enum order. */
const messageType = z.union([z.enum(messageTypes), z.number().int().min(0).max(3).transform((n) => messageTypes[n]!)]);

/** Message#webhook_data + event. For an incoming message the sender is the contact. */
export const messageCreated = z.looseObject({
  event: z.literal('message_created'),
  id,
  content: text,
  message_type: messageType,
  private: z.boolean().nullish(),
  sender: chatwootContact.nullish(),
  inbox: z.looseObject({ id }).nullish(),
  conversation: chatwootConversation,
  account: z.looseObject({ id }).nullish(),
  attachments: z.array(attachment).nullish(),
});

export const conversationStatusChanged = chatwootConversation.extend({ event: z.literal('conversation_status_changed') });

export const contactChanged = chatwootContact.extend({ event: z.enum(['contact_created', 'contact_updated']) });

export type ChatwootContact = z.infer<typeof chatwootContact>;
export type ChatwootAttachment = z.infer<typeof attachment>;
export type MessageCreated = z.infer<typeof messageCreated>;
export type ConversationStatusChanged = z.infer<typeof conversationStatusChanged>;
export type ContactChanged = z.infer<typeof contactChanged>;

/** Every payload has its event name; what else it must have depends on the event. */
export const anyEvent = z.looseObject({ event: z.string().min(1) });

/** The Chatwoot account a payload speaks for, when it says (conversation payloads may not). */
export function accountOf(payload: { account?: { id: number } | null | undefined; account_id?: number | null | undefined }): number | null {
  return payload.account?.id ?? payload.account_id ?? null;
}

import type { PluginRecords } from '../runtime/contract.js';

// What the bridge remembers between Chatwoot and Deskgraph, in the plugin's own records (no SQL here),
// kept under the Deskgraph account it serves: deleting that account removes them. Keys on the Chatwoot
// side still carry Chatwoot's account id: its conversation ids restart per Chatwoot account, and the
// keys stored before records had an account must keep being found.

/** A Chatwoot conversation and the Deskgraph ticket its contact's messages last went to. */
export interface ConversationLink {
  ticketId: string;
  inboxId: number | null;
  chatwootContactId: number | null;
}

/** The other direction: where an agent's reply on this ticket goes. */
export interface TicketLink {
  chatwootAccountId: number;
  conversationId: number;
}

/** A contact as Chatwoot last described it (contact_created / contact_updated). */
export interface ChatwootContactDetails {
  name: string | null;
  phone: string | null;
  email: string | null;
  identifier: string | null;
}

export interface ContactLink {
  chatwootAccountId: number;
  chatwootContactId: number;
  deskgraphContactId: string;
}

/** A reply already accepted by Chatwoot: an event replayed after a crash does not send it twice. */
export interface SentReply {
  conversationId: number;
  chatwootMessageId: number | null;
}

export function linksOf(plugin: PluginRecords, deskgraphAccountId: number, chatwootAccountId: number) {
  const chatwootKey = (id: number) => `${chatwootAccountId}:${id}`;
  const records = {
    get: <T>(kind: string, key: string) => plugin.get<T>(deskgraphAccountId, kind, key),
    put: (kind: string, key: string, value: unknown) => plugin.put(deskgraphAccountId, kind, key, value),
    delete: (kind: string, key: string) => plugin.delete(deskgraphAccountId, kind, key),
  };

  // Rewriting an identical record would still touch its row; a redelivered webhook should change nothing.
  async function keep(kind: string, key: string, value: object): Promise<void> {
    const current = await records.get<unknown>(kind, key);
    if (JSON.stringify(current) !== JSON.stringify(value)) await records.put(kind, key, value);
  }

  return {
    ticketOfConversation: (conversationId: number) => records.get<ConversationLink>('conversation', chatwootKey(conversationId)),
    conversationOfTicket: (ticketId: string) => records.get<TicketLink>('ticket', ticketId),

    /** Both directions; a contact writing again after their ticket closed moves the conversation to the new ticket. */
    async linkConversation(conversationId: number, link: ConversationLink): Promise<void> {
      await keep('conversation', chatwootKey(conversationId), link);
      await keep('ticket', link.ticketId, { chatwootAccountId, conversationId } satisfies TicketLink);
    },

    contactDetails: (chatwootContactId: number) => records.get<ChatwootContactDetails>('contact', chatwootKey(chatwootContactId)),
    recordContactDetails: (chatwootContactId: number, details: ChatwootContactDetails) => keep('contact', chatwootKey(chatwootContactId), details),

    deskgraphContactOf: async (chatwootContactId: number) => (await records.get<ContactLink>('contact-link', chatwootKey(chatwootContactId)))?.deskgraphContactId ?? null,
    async linkContact(chatwootContactId: number, deskgraphContactId: string): Promise<void> {
      const link: ContactLink = { chatwootAccountId, chatwootContactId, deskgraphContactId };
      await keep('contact-link', chatwootKey(chatwootContactId), link);
      await keep('deskgraph-contact', deskgraphContactId, link);
    },

    /** An erased Deskgraph contact: what Chatwoot told about them goes, and their next message starts a new contact. */
    async forgetContact(deskgraphContactId: string): Promise<void> {
      const link = await records.get<ContactLink>('deskgraph-contact', deskgraphContactId);
      if (!link || link.chatwootAccountId !== chatwootAccountId) return;
      await records.delete('contact', chatwootKey(link.chatwootContactId));
      await records.delete('contact-link', chatwootKey(link.chatwootContactId));
      await records.delete('deskgraph-contact', deskgraphContactId);
    },

    sentReply: (messageId: string) => records.get<SentReply>('sent', messageId),
    recordSentReply: (messageId: string, sent: SentReply) => records.put('sent', messageId, sent),
  };
}

export type Links = ReturnType<typeof linksOf>;

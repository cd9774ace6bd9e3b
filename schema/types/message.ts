import type { Attachment as AttachmentShape, Message as MessageRow } from '../../db/types.js';
import { messagesByIds } from '../../resolvers/tickets/queries.js';
import type { StreamedMessage } from '../../resolvers/live/messages.js';
import { messageCursorsOf, streamCursorOf } from '../../resolvers/live/resume.js';
import { addNote, sendMessage } from '../../resolvers/tickets/conversation.js';
import DataLoader from 'dataloader';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { pageFieldsOf, type PageShape } from '../connections.js';
import { localIdOf, localIdsOf } from '../ids.js';
import { User } from './user.js';

export const MessageDirection = builder.enumType('MessageDirection', { values: ['IN', 'OUT'] as const });
export const MessageAuthor = builder.enumType('MessageAuthor', { values: ['CONTACT', 'AGENT', 'BOT', 'SYSTEM'] as const });
export const MessageKind = builder.enumType('MessageKind', {
  values: {
    TEXT: {},
    AUDIO: {},
    IMAGE: {},
    DOCUMENT: {},
    TEMPLATE: {},
    NOTE: { description: 'Internal: kept on the ticket, never delivered to the contact' },
  } as const,
});

const Attachment = builder.objectRef<AttachmentShape>('Attachment').implement({
  fields: (t) => ({
    url: t.exposeString('url'),
    mime: t.exposeString('mime'),
    name: t.exposeString('name', { nullable: true }),
    size: t.int({ nullable: true, description: 'Bytes, for files uploaded to Deskgraph', resolve: (attachment) => attachment.size ?? null }),
  }),
});

// The event id messageAdded delivered a message with; a message read any other way looks its event up.
const streamedEventIds = new WeakMap<MessageRow, number>();

// A page of messages asks for its cursors in one read, not one per message.
const messageCursorLoaders = new WeakMap<Context, DataLoader<MessageRow, string, number>>();
function messageCursorLoaderOf(context: Context): DataLoader<MessageRow, string, number> {
  let loader = messageCursorLoaders.get(context);
  if (!loader) {
    loader = new DataLoader((messages) => messageCursorsOf(context.services, messages[0]!.accountId, messages.map((message) => message.id)), {
      cacheKeyFn: (message) => message.id,
    });
    messageCursorLoaders.set(context, loader);
  }
  return loader;
}

export function streamedMessage({ message, eventId }: StreamedMessage): MessageRow {
  streamedEventIds.set(message, eventId);
  return message;
}

export const Message = builder.loadableNode('Message', {
  id: { resolve: (message: MessageRow) => message.id },
  load: (ids: string[], context) => (context.viewer ? messagesByIds(context.services, context.viewer, ids.map(Number)) : Promise.resolve([])),
  sort: (message) => String(message.id),
  fields: (t) => ({
    body: t.exposeString('body', { nullable: true }),
    externalId: t.exposeString('externalId', { nullable: true, description: "The message's id at the channel, when it gave one" }),
    direction: t.expose('direction', { type: MessageDirection }),
    author: t.expose('author', { type: MessageAuthor }),
    authorUser: t.field({ type: User, nullable: true, resolve: (message) => (message.authorUserId ? String(message.authorUserId) : null) }),
    kind: t.expose('kind', { type: MessageKind }),
    attachments: t.field({ type: [Attachment], resolve: (message) => message.attachments }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    cursor: t.string({
      description: 'Its place in the committed-event order: resubscribe messageAdded with `after` to get what came since',
      resolve: (message, _args, context) => {
        const eventId = streamedEventIds.get(message);
        return eventId === undefined ? messageCursorLoaderOf(context).load(message) : streamCursorOf(eventId);
      },
    }),
  }),
});

export interface MessageConnectionShape extends PageShape {
  edges: { cursor: string; node: MessageRow }[];
}

const MessageEdge = builder.objectRef<{ cursor: string; node: MessageRow }>('MessageEdge').implement({
  fields: (t) => ({
    cursor: t.exposeString('cursor'),
    node: t.field({ type: Message, resolve: (edge) => edge.node }),
  }),
});

export const MessageConnection = builder.objectRef<MessageConnectionShape>('MessageConnection').implement({
  description: 'Newest first',
  fields: (t) => ({
    edges: t.field({ type: [MessageEdge], resolve: (connection) => connection.edges }),
    ...pageFieldsOf(t),
  }),
});

const attachmentsHelp = 'Files (a GraphQL multipart request); size and type limits come from the configuration';

builder.mutationFields((t) => ({
  sendMessage: t.field({
    type: Message,
    description: 'Answers the contact: the assignee or an ADMIN, on an OPEN ticket, inside working hours. `body` may be "" when files are attached.',
    authScopes: { authenticated: true },
    args: { ticketId: t.arg.id({ required: true }), body: t.arg.string({ required: true }), attachments: t.arg({ type: ['Upload'], description: attachmentsHelp }) },
    resolve: (_root, { ticketId, body, attachments }, context) =>
      sendMessage(context.services, context.viewer, localIdOf('Ticket', String(ticketId), 'ticketId'), body, attachments ?? []),
  }),
  addNote: t.field({
    type: Message,
    description: 'An internal note on a ticket I can see; never delivered to the contact',
    authScopes: { authenticated: true },
    args: {
      ticketId: t.arg.id({ required: true }),
      body: t.arg.string({ required: true }),
      attachments: t.arg({ type: ['Upload'], description: attachmentsHelp }),
      mentionedUserIds: t.arg.idList({ required: false, description: 'Each gets a MENTION notification; all must be able to see the ticket (BAD_USER_INPUT otherwise, nothing stored)' }),
    },
    resolve: (_root, { ticketId, body, attachments, mentionedUserIds }, context) =>
      addNote(
        context.services, context.viewer, localIdOf('Ticket', String(ticketId), 'ticketId'), body, attachments ?? [],
        localIdsOf('User', (mentionedUserIds ?? []).map(String), 'mentionedUserIds'),
      ),
  }),
}));

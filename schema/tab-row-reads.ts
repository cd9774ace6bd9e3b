import type { GraphQLObjectType, GraphQLResolveInfo } from 'graphql';
import { simplifyParsedResolveInfoFragmentWithType, type ResolveTree } from 'graphql-parse-resolve-info';
import { resolveTreeOf } from './selection.js';
import { tabRowFields } from '../db/pages.js';
import type { Contact, Message, TabRowReach, TabRowReads, Ticket } from '../db/types.js';

// A tab page reads only the fields of a tab row (db/pages.ts tabRowFields) when its query asks no more:
// most of a row's columns are instants and texts a tab never shows. What each GraphQL field reads of
// its row is listed here, beside nothing else; a field missing from a list (a plugin's, a new one) makes
// the page read its rows whole.

const ticketFieldReads: Record<string, readonly (keyof Ticket)[]> = {
  __typename: [],
  id: ['id'],
  protocol: ['protocol'],
  status: ['status'],
  sector: ['sectorId'],
  assignee: ['assigneeId'],
  contact: ['contactId'],
  channel: ['channelId'],
  lastMessage: ['lastMessageId'],
  messages: ['id'],
  tags: ['id'],
  history: ['id'],
  lastActivityAt: ['lastActivityAt'],
};

const contactFieldReads: Record<string, readonly (keyof Contact)[]> = {
  __typename: [],
  id: ['id'],
  name: ['name'],
  phone: ['phone'],
  tags: ['id'],
  tickets: ['id'],
};

const messageFieldReads: Record<string, readonly (keyof Message)[]> = {
  __typename: [],
  id: ['id'],
  body: ['body'],
  direction: ['direction'],
  author: ['author'],
  authorUser: ['authorUserId'],
  kind: ['kind'],
  createdAt: ['createdAt'],
};

/** The fields selected on the object type `typeName` beneath `tree`, fragments on its interfaces included. */
function fieldsOn(info: GraphQLResolveInfo, tree: ResolveTree, typeName: string): ResolveTree[] {
  const type = info.schema.getType(typeName) as GraphQLObjectType;
  return Object.values(simplifyParsedResolveInfoFragmentWithType(tree, type).fields as Record<string, ResolveTree>);
}

/** Every selection of the field `name` (aliases included) among `fields`. */
const named = (fields: ResolveTree[], name: string) => fields.filter((field) => field.name === name);

/** `tabRow` when every field asked reads only a tab row's fields, else `whole`. */
function reachOf<Row>(asked: ResolveTree[], fieldReads: Record<string, readonly (keyof Row)[]>, tabRow: readonly (keyof Row)[]): 'tabRow' | 'whole' {
  const fits = asked.every((field) => fieldReads[field.name]?.every((key) => tabRow.includes(key)));
  return fits ? 'tabRow' : 'whole';
}

/** `none` when no selection asks the relation, else how far its fields reach. */
function relationReachOf<Row>(selections: ResolveTree[], info: GraphQLResolveInfo, typeName: string, fieldReads: Record<string, readonly (keyof Row)[]>, tabRow: readonly (keyof Row)[]): TabRowReach {
  if (selections.length === 0) return 'none';
  return reachOf(selections.flatMap((selection) => fieldsOn(info, selection, typeName)), fieldReads, tabRow);
}

const readsOfTree = new WeakMap<ResolveTree, TabRowReads>();

/** What a TicketConnection field's query reads of its tickets, their contacts and last messages (through edges { node }). */
export function tabRowReadsOf(info: GraphQLResolveInfo): TabRowReads {
  const parsed = resolveTreeOf(info);
  if (!parsed) return readsOf(info, null);
  let reads = readsOfTree.get(parsed);
  if (!reads) readsOfTree.set(parsed, (reads = readsOf(info, parsed)));
  return reads;
}

function readsOf(info: GraphQLResolveInfo, parsed: ResolveTree | null): TabRowReads {
  const edges = parsed ? named(fieldsOn(info, parsed, 'TicketConnection'), 'edges') : [];
  const nodes = edges.flatMap((edge) => named(fieldsOn(info, edge, 'TicketEdge'), 'node'));
  const ticketFields = nodes.flatMap((node) => fieldsOn(info, node, 'Ticket'));
  const contactFields = named(ticketFields, 'contact').flatMap((selection) => fieldsOn(info, selection, 'Contact'));
  const asks = (fields: ResolveTree[], name: string) => fields.some((field) => field.name === name);
  return {
    ticket: reachOf(ticketFields, ticketFieldReads, tabRowFields.ticket),
    contact: relationReachOf(named(ticketFields, 'contact'), info, 'Contact', contactFieldReads, tabRowFields.contact),
    message: relationReachOf(named(ticketFields, 'lastMessage'), info, 'Message', messageFieldReads, tabRowFields.message),
    consoleParts: { assignee: asks(ticketFields, 'assignee'), channel: asks(ticketFields, 'channel'), ticketTags: asks(ticketFields, 'tags'), contactTags: asks(contactFields, 'tags') },
  };
}

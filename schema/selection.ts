import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, simplifyParsedResolveInfoFragmentWithType, type ResolveTree } from 'graphql-parse-resolve-info';
import type { PageArgs } from '../resolvers/connections.js';

// What a query asks beneath a field, so one read can fetch it with the field. graphql-parse-resolve-info
// (Graphile's, what PostGraphile plans its SQL with) follows fragments, variables and @skip/@include.

// yoga keeps a document's parse, and graphql-jit its compiled resolvers, so a field's nodes are the same
// objects from one request of that document to the next: its tree is parsed once per variable values.
const trees = new WeakMap<GraphQLResolveInfo['fieldNodes'], Map<string, ResolveTree | null>>();

/** The field being resolved as graphql-parse-resolve-info parses it (shared between requests: never change it). */
export function resolveTreeOf(info: GraphQLResolveInfo): ResolveTree | null {
  let byVariables = trees.get(info.fieldNodes);
  if (!byVariables) trees.set(info.fieldNodes, (byVariables = new Map()));
  const key = JSON.stringify(info.variableValues);
  let tree = byVariables.get(key);
  if (tree === undefined) {
    tree = (parseResolveInfo(info) as ResolveTree | null | undefined) ?? null;
    if (byVariables.size >= maxVariableSets) byVariables.clear();
    byVariables.set(key, tree);
  }
  return tree;
}
const maxVariableSets = 100;

const subfields = new WeakMap<ResolveTree, ResolveTree[]>();

/** The selected subfields of the field being resolved, on its (object) return type (parsed whole: fragments nest). */
function selectedFields(info: GraphQLResolveInfo): ResolveTree[] {
  const parsed = resolveTreeOf(info);
  if (!parsed) return [];
  let fields = subfields.get(parsed);
  if (!fields) subfields.set(parsed, (fields = Object.values(simplifyParsedResolveInfoFragmentWithType(parsed, info.returnType).fields as Record<string, ResolveTree>)));
  return fields;
}

/** The arguments of the Ticket's `messages` field when the query selects it (the first, if aliased twice); else null. */
export function askedMessagesArgs(info: GraphQLResolveInfo): PageArgs | null {
  const messages = selectedFields(info).find((field) => field.name === 'messages');
  return messages ? (messages.args as PageArgs) : null;
}

/** Whether the query selects the field `name` beneath the field being resolved (e.g. a connection's totalCount). */
export function asksField(info: GraphQLResolveInfo, name: string): boolean {
  return selectedFields(info).some((field) => field.name === name);
}

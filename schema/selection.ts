import type { GraphQLResolveInfo } from 'graphql';
import { parseResolveInfo, simplifyParsedResolveInfoFragmentWithType, type ResolveTree } from 'graphql-parse-resolve-info';
import type { PageArgs } from '../resolvers/connections.js';

// What a query asks beneath a field, so one read can fetch it with the field. graphql-parse-resolve-info
// (Graphile's, what PostGraphile plans its SQL with) follows fragments, variables and @skip/@include.

/** The selected subfields of the field being resolved, on its (object) return type (parsed whole: fragments nest). */
function selectedFields(info: GraphQLResolveInfo): ResolveTree[] {
  const parsed = parseResolveInfo(info) as ResolveTree | null | undefined;
  if (!parsed) return [];
  const { fields } = simplifyParsedResolveInfoFragmentWithType(parsed, info.returnType);
  return Object.values(fields as Record<string, ResolveTree>);
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

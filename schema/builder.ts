import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import { GraphQLError, GraphQLScalarType, isObjectType } from 'graphql';
import { BadUserInputError, ForbiddenError, UnauthenticatedError, type DomainError } from '../resolvers/errors.js';
import type { AgentContext, Context, IntegrationContext, PlatformContext } from './context.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  AuthScopes: { authenticated: boolean; admin: boolean; integration: boolean; platform: boolean };
  AuthContexts: { authenticated: AgentContext; admin: AgentContext; integration: IntegrationContext; platform: PlatformContext };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    Upload: { Input: File; Output: never };
  };
  DefaultFieldNullability: false;
}>({
  // Relay first so scope checks see parsed ids; scope-auth before anything that resolves data.
  plugins: [RelayPlugin, ScopeAuthPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (context) => ({
      authenticated: context.viewer?.kind === 'user',
      admin: context.viewer?.kind === 'user' && context.viewer.role === 'ADMIN',
      integration: context.viewer?.kind === 'integration',
      // The host platform: no account's member, so no other scope ever holds with it.
      platform: context.platform !== null,
    }),
    // No or a refused token answers HTTP 401 too (an SSE subscription is refused before it streams).
    unauthorizedError: (_parent, context) => {
      if (context.authError) return refusedTokenError(context.authError);
      if (context.platform) return new ForbiddenError('The platform credential acts on the platform fields only', { reason: 'PLATFORM_CREDENTIAL' });
      if (!context.viewer) return new UnauthenticatedError(undefined, { http: { status: 401 } });
      return new ForbiddenError();
    },
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: {
      authScopes: { authenticated: true },
      // A well-formed id naming no Node type is refused like any id of the wrong type (ids.ts).
      resolve: (_root, { id }, _context, info, resolveNode) => {
        const type = info.schema.getType(id.typename);
        if (!isObjectType(type) || !type.getInterfaces().some((face) => face.name === 'Node')) throw new BadUserInputError('id', 'Not a node id');
        return resolveNode(id);
      },
    },
    nodesQueryOptions: false,
  },
});

/** A refused token's error as every scoped field answers it (HTTP 401). */
export function refusedTokenError(authError: DomainError): UnauthenticatedError {
  return new UnauthenticatedError(authError.message, { ...authError.details, http: { status: 401 } });
}

/** Years 0001-9999, the instants every engine stores (PostgreSQL has no year 0000; ISO strings end at 9999). */
function withinStoredYears(date: Date): Date {
  const year = date.getUTCFullYear();
  if (year < 1 || year > 9999) throw new GraphQLError('DateTime must fall in the years 0001 to 9999', { extensions: { code: 'BAD_USER_INPUT' } });
  return date;
}

builder.addScalarType('DateTime', new GraphQLScalarType({
  ...DateTimeResolver.toConfig(),
  parseValue: (value) => withinStoredYears(DateTimeResolver.parseValue(value) as Date),
  parseLiteral: (literal, variables) => withinStoredYears(DateTimeResolver.parseLiteral(literal, variables) as Date),
}));
builder.addScalarType('JSONObject', JSONObjectResolver);
// A file of a GraphQL multipart request (yoga parses the spec and puts a File in the variable).
builder.scalarType('Upload', {
  description: 'A file sent as a part of a GraphQL multipart request (github.com/jaydenseric/graphql-multipart-request-spec)',
  serialize: () => {
    throw new Error('Upload is an input only');
  },
  // yoga's File is the whatwg-node one (not always the global class): it is recognised by its shape.
  parseValue: (value) => {
    const file = value as Partial<File> | null;
    if (typeof file?.arrayBuffer !== 'function' || typeof file.name !== 'string' || typeof file.size !== 'number') {
      throw new GraphQLError('Upload expects a file part of a multipart request', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return value as File;
  },
});
builder.queryType({});
builder.mutationType({});

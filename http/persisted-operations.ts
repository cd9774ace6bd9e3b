import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { defaultExtractPersistedOperationId, usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';

export interface PersistedOperationsConfig {
  /** PERSISTED_OPERATIONS_FILE: trusted documents, { "<sha256 of the document>": "<document>" } (the client preset's persisted-documents.json). */
  file?: string | undefined;
  /** PERSISTED_OPERATIONS_ONLY: run nothing else (production switch); automatic persisted queries are off then. */
  only: boolean;
}

/** The document an ADMIN registered under this hash for the account the credentials (a bearer token) belong to, or null. */
export type RegisteredDocuments = (hash: string, authorization: unknown) => Promise<string | null>;

const apqCapacity = 1000;

/** Reads the trusted documents file; a bad file stops start-up with its path in the message. */
export function loadTrustedDocuments(file: string): Map<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`PERSISTED_OPERATIONS_FILE: cannot read ${file} as JSON (${(error as Error).message})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || !Object.values(parsed).every((doc) => typeof doc === 'string')) {
    throw new Error(`PERSISTED_OPERATIONS_FILE: ${file} must be an object of "<hash>": "<document>"`);
  }
  return new Map(Object.entries(parsed as Record<string, string>));
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Trusted documents through @graphql-yoga/plugin-persisted-operations, plus automatic persisted
 * queries (Apollo's protocol: a hash alone, then hash and query once when unknown). The APQ
 * package for yoga lags behind yoga's dependencies, so registration is the small hook below,
 * feeding the same lookup.
 */
export function createPersistedOperations(config: PersistedOperationsConfig, registeredDocuments?: RegisteredDocuments) {
  const trusted = config.file ? loadTrustedDocuments(config.file) : new Map<string, string>();
  const registered = new Map<string, string>();
  // The file and APQ first (no I/O); an ADMIN's registrations are per account, so they need the caller's token.
  const lookup = async (key: string, authorization: unknown) => trusted.get(key) ?? registered.get(key) ?? (await registeredDocuments?.(key, authorization)) ?? null;

  const register: Plugin = {
    onParams({ params }) {
      const hash = defaultExtractPersistedOperationId(params, undefined as never, {});
      if (!hash || !params.query || trusted.has(hash) || registered.has(hash)) return;
      if (sha256(params.query) !== hash) {
        throw createGraphQLError('provided sha does not match query', { extensions: { code: 'PERSISTED_QUERY_HASH_MISMATCH', http: { status: 400 } } });
      }
      // Insertion order is age: the oldest registration goes first.
      if (registered.size >= apqCapacity) registered.delete(registered.keys().next().value!);
      registered.set(hash, params.query);
    },
  };

  const plugins: Plugin[] = [
    ...(config.only ? [] : [register]),
    usePersistedOperations({
      getPersistedOperation: (key, request) => lookup(key, request.headers.get('authorization')),
      allowArbitraryOperations: !config.only,
      customErrors: {
        notFound: { message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } },
        persistedQueryOnly: { message: 'This server runs only persisted operations: send extensions.persistedQuery.sha256Hash', extensions: { code: 'PERSISTED_QUERY_ONLY' } },
        keyNotFound: { message: 'No query and no persisted operation id', extensions: { code: 'BAD_REQUEST' } },
      },
    }) as Plugin,
  ];

  return {
    plugins,
    /** The document a graphql-ws subscribe message runs, by the same rules as HTTP. */
    async socketQuery(params: { query?: string; extensions?: Record<string, unknown> | null }, authorization: unknown): Promise<string | GraphQLError> {
      const hash = defaultExtractPersistedOperationId(params as never, undefined as never, {});
      if (hash && !params.query) return (await lookup(hash, authorization)) ?? new GraphQLError('PersistedQueryNotFound', { extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
      if (config.only) {
        const known = hash ? await lookup(hash, authorization) : null;
        return known ?? new GraphQLError('This server runs only persisted operations: send extensions.persistedQuery.sha256Hash', { extensions: { code: 'PERSISTED_QUERY_ONLY' } });
      }
      return params.query ?? new GraphQLError('No query and no persisted operation id', { extensions: { code: 'BAD_REQUEST' } });
    },
  };
}

import { GraphQLError } from 'graphql';
import { PothosValidationError } from '@pothos/core';
import { maskError as yogaMaskError } from 'graphql-yoga';
import type { Logger } from 'pino';
import { domainErrorOf, RateLimitedError, type DomainError } from '../resolvers/errors.js';

/** The error a resolver threw, under any number of GraphQL wrappers. */
function innermost(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && 'originalError' in current && current.originalError instanceof Error) current = current.originalError;
  return current;
}

/** "Did you mean ...?" in any of graphql-js' wordings (fields, arguments, types, enum values). */
const suggestion = /\s*Did you mean\b[^?]*\?/g;

/** The message without schema names a client did not ask for (production hides the schema). */
export const withoutSuggestions = (message: string): string => message.replace(suggestion, '');

function recoded(error: GraphQLError, extensions: Record<string, unknown>, message = error.message): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions: { ...error.extensions, ...extensions },
  });
}

/**
 * The code of an error graphql-js, yoga or a plugin raised for a client's request without one:
 * a refused CSRF check, a variable that does not coerce (an Int past 32 bits, an unknown enum
 * value), a malformed global id; null for a GraphQL error on a field path, which is our fault.
 */
function clientCodeOf(error: GraphQLError, original: unknown): Record<string, unknown> | null {
  if (original instanceof PothosValidationError) return { code: 'BAD_USER_INPUT' };
  const variable = /^Variable "\$([^"]+)"/.exec(error.message);
  if (variable && !error.path) return { code: 'BAD_USER_INPUT', field: variable[1] };
  const status = (error.extensions?.['http'] as { status?: number } | undefined)?.status;
  if (status === 403) return { code: 'FORBIDDEN' };
  if (status === 401) return { code: 'UNAUTHENTICATED' };
  return error.path ? null : { code: 'BAD_REQUEST' };
}

/** A domain error as clients see it: its code and details in `extensions`, at the field that raised it. */
export function typedErrorOf(domain: DomainError, raised?: GraphQLError): GraphQLError {
  return new GraphQLError(domain.message, {
    nodes: raised?.nodes,
    path: raised?.path,
    extensions: {
      code: domain.code,
      ...domain.details,
      // yoga answers 429 with Retry-After when this is the response's error (and strips `http` from the body).
      ...(domain instanceof RateLimitedError ? { http: { status: 429, headers: { 'retry-after': String(domain.retryAfterSeconds) } } } : {}),
    },
  });
}

/**
 * Domain errors become typed GraphQL errors (extensions.code, .field); a client's malformed
 * request gets its code; anything else is masked and logged. In production no message names a
 * schema element the client did not write.
 */
export function createErrorMasker(log: Logger, production = false) {
  const shown = (error: GraphQLError): GraphQLError => {
    const message = production ? withoutSuggestions(error.message) : error.message;
    return message === error.message ? error : recoded(error, {}, message);
  };
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = innermost(error);
    const domain = domainErrorOf(original);
    if (domain) {
      // The operator must hear of it: the client can only wait.
      if (domain.code === 'STORAGE_UNAVAILABLE') log.warn({ err: original }, 'write refused: the database cannot take writes');
      return typedErrorOf(domain, error instanceof GraphQLError ? error : undefined);
    }
    const masked = yogaMaskError(error, message, isDev);
    if (masked !== error) {
      log.error({ err: original }, 'unexpected error');
      return masked;
    }
    if (!(masked instanceof GraphQLError)) return masked;
    if (masked.extensions?.['code']) return shown(masked);
    const code = clientCodeOf(masked, original);
    if (code) return shown(recoded(masked, code));
    log.error({ err: original }, 'unexpected error');
    return yogaMaskError(new Error(masked.message), message, isDev);
  };
}

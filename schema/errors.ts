import { GraphQLError } from 'graphql';
import { maskError as yogaMaskError } from 'graphql-yoga';
import type { Logger } from 'pino';
import { DomainError } from '../resolvers/errors.js';

/** The error a resolver threw, under any number of GraphQL wrappers. */
function innermost(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && 'originalError' in current && current.originalError instanceof Error) current = current.originalError;
  return current;
}

/** Domain errors become typed GraphQL errors (extensions.code, .field); anything else is masked and logged. */
export function createErrorMasker(log: Logger) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = innermost(error);
    if (original instanceof DomainError) {
      return new GraphQLError(original.message, {
        nodes: error instanceof GraphQLError ? error.nodes : undefined,
        path: error instanceof GraphQLError ? error.path : undefined,
        extensions: { code: original.code, ...original.details },
      });
    }
    const masked = yogaMaskError(error, message, isDev);
    if (masked !== error) log.error({ err: original }, 'unexpected error');
    return masked;
  };
}

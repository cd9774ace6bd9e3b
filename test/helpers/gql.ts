import { ClientError, GraphQLClient } from 'graphql-request';
import { expect } from 'vitest';

export interface GqlError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: Record<string, unknown>;
}

export interface GqlClient {
  /** Data of a successful operation; throws with the errors otherwise. */
  request<T = Record<string, any>>(query: string, variables?: Record<string, unknown>): Promise<T>;
  /** The errors of an operation expected to fail (an empty list if it succeeded). */
  errors(query: string, variables?: Record<string, unknown>): Promise<GqlError[]>;
  /** Asserts the operation fails with `code` (and `field` when given); returns the first error. */
  expectCode(query: string, variables: Record<string, unknown> | undefined, code: string, field?: string): Promise<GqlError>;
}

export function gqlClient(url: string, token?: string): GqlClient {
  const client = new GraphQLClient(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const errors = async (query: string, variables?: Record<string, unknown>): Promise<GqlError[]> => {
    try {
      await client.request(query, variables);
      return [];
    } catch (error) {
      if (error instanceof ClientError) return (error.response.errors ?? []) as GqlError[];
      throw error;
    }
  };
  return {
    request: (query, variables) => client.request(query, variables),
    errors,
    async expectCode(query, variables, code, field) {
      const found = await errors(query, variables);
      expect(found.length, `expected ${code}, the operation succeeded`).toBeGreaterThan(0);
      expect(found[0]?.extensions?.['code']).toBe(code);
      if (field !== undefined) expect(found[0]?.extensions?.['field']).toBe(field);
      return found[0]!;
    },
  };
}

import { BadUserInputError } from './errors.js';

// One shape and one cursor codec for every list the contract pages through (tickets, contacts,
// messages, webhook deliveries): a cursor is base64url of the numbers that place a row in its
// order, "<instant ms>:<id>" or "<id>", so a client treats it as opaque.

/** One page, newest first, and how to count the whole list (only when a client asks). */
export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: () => Promise<number>;
}

export function encodeCursor(...parts: readonly number[]): string {
  return Buffer.from(parts.join(':')).toString('base64url');
}

/** The numbers of a cursor from `encodeCursor` with `count` parts; anything else is BAD_USER_INPUT on `field`. */
export function decodeCursor(cursor: string | null | undefined, count: 1 | 2, field = 'after'): number[] | undefined {
  if (cursor === null || cursor === undefined || cursor === '') return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  if (parts.length !== count || !parts.every((part) => /^\d{1,15}$/.test(part))) throw new BadUserInputError(field, 'Not a cursor from this list');
  return parts.map(Number);
}

export function connectionOf<T>(nodes: readonly T[], hasNextPage: boolean, cursorOf: (node: T) => string, totalCount: () => Promise<number>): Connection<T> {
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  return { edges, hasNextPage, endCursor: edges.at(-1)?.cursor ?? null, totalCount };
}

import type { PageDirection } from '../db/types.js';
import { BadUserInputError } from './errors.js';

// One shape and one cursor codec for every list the contract pages through (tickets, contacts,
// messages, timelines, notifications, webhook deliveries): a cursor is base64url of the numbers that
// place a row in its order, "<instant ms>:<id>" or "<id>", so a client treats it as opaque.

/** One page, newest first, and how to count the whole list (only when a client asks). */
export interface Connection<T> {
  edges: { readonly cursor: string; readonly node: T }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
  totalCount: () => Promise<number>;
}

/** The Relay paging arguments every connection takes: first/after forward, or last/before backward. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** What a store page reads: how many rows, from which cursor, and which way. */
export interface PageWindow<C> {
  size: number;
  cursor: C | undefined;
  direction: PageDirection;
}

export const defaultPageSize = 20;
export const maxPageSize = 100;

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

const given = (value: unknown) => value !== null && value !== undefined;

function sizeOf(value: number | null | undefined, field: 'first' | 'last', min: number): number {
  if (!given(value)) return defaultPageSize;
  if (!Number.isInteger(value) || value! < min || value! > maxPageSize) throw new BadUserInputError(field, `Between ${min} and ${maxPageSize}`);
  return value!;
}

/**
 * The window of a page from its arguments: first/after reads older rows, last/before newer ones;
 * mixing the two ways (first with last, after with before) is BAD_USER_INPUT.
 */
export function pageWindowOf<C>(args: PageArgs, parse: (cursor: string | null | undefined, field: 'after' | 'before') => C | undefined, min = 1): PageWindow<C> {
  const backward = given(args.last) || given(args.before);
  if (backward && (given(args.first) || given(args.after))) {
    // Name the argument that mixed in: last beside first, else before beside first/after, else after beside last.
    const field = given(args.last) && given(args.first) ? 'last' : given(args.before) ? 'before' : 'after';
    throw new BadUserInputError(field, 'Page with first/after or with last/before, not both');
  }
  if (backward) return { size: sizeOf(args.last, 'last', min), cursor: parse(args.before, 'before'), direction: 'backward' };
  return { size: sizeOf(args.first, 'first', min), cursor: parse(args.after, 'after'), direction: 'forward' };
}

/** A window over a list keyed by id alone ("<id>" cursors). */
export function idWindowOf(args: PageArgs, min = 1): PageWindow<number> {
  return pageWindowOf(args, (cursor, field) => decodeCursor(cursor, 1, field)?.[0], min);
}

/** An edge encodes its cursor when it is asked for: most queries read the nodes alone. */
class Edge<T> {
  #cursor: string | undefined;
  constructor(
    readonly node: T,
    private readonly cursorOf: (node: T) => string,
  ) {}
  get cursor(): string {
    return (this.#cursor ??= this.cursorOf(this.node));
  }
}

/**
 * A page of nodes (newest first) read through `window`, `hasMore` saying whether rows follow the way it read.
 * The other way, a page read from a cursor has the cursor's own row beyond it, so the flag is whether a cursor was given.
 */
export function connectionOf<T, C>(nodes: readonly T[], window: PageWindow<C>, hasMore: boolean, cursorOf: (node: T) => string, totalCount: () => Promise<number>): Connection<T> {
  const edges = nodes.map((node) => new Edge(node, cursorOf));
  const fromCursor = window.cursor !== undefined;
  return {
    edges,
    hasNextPage: window.direction === 'forward' ? hasMore : fromCursor,
    hasPreviousPage: window.direction === 'backward' ? hasMore : fromCursor,
    startCursor: edges[0]?.cursor ?? null,
    endCursor: edges.at(-1)?.cursor ?? null,
    totalCount,
  };
}

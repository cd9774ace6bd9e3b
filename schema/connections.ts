import { builder } from './builder.js';

/** What a list resolver returns: one page, newest first, and how to count the whole list. */
export interface PageShape {
  edges: { cursor: string }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
  totalCount: () => Promise<number>;
}

/** The pageInfo and totalCount fields every connection of the contract carries. */
export function pageFieldsOf<T extends PageShape>(t: PothosFieldBuilder<T>) {
  return {
    pageInfo: t.field({
      type: builder.pageInfoRef(),
      description: 'Where this page sits in the list: cursors of its first and last rows, and whether rows lie beyond either end',
      resolve: (page) => ({ hasNextPage: page.hasNextPage, hasPreviousPage: page.hasPreviousPage, startCursor: page.startCursor, endCursor: page.endCursor }),
    }),
    totalCount: t.int({ description: 'How many rows the whole list holds with these filters, counted only when asked', resolve: (page) => page.totalCount() }),
  };
}

/** first/after and last/before, the Relay paging arguments of every connection (resolvers/connections.ts reads them). */
export function pageArgsOf(t: PothosArgBuilder) {
  return {
    first: t.int({ description: 'Page forward: how many rows after `after` (1-100, 20 by default); not with last/before' }),
    after: t.string({ description: 'Page forward from this cursor (an endCursor), towards older rows' }),
    last: t.int({ description: 'Page backward: how many rows before `before` (1-100, 20 by default); not with first/after' }),
    before: t.string({ description: 'Page backward from this cursor (a startCursor), towards newer rows; the page still comes newest first' }),
  };
}

type PothosFieldBuilder<T> = Parameters<NonNullable<Parameters<ReturnType<typeof builder.objectRef<T>>['implement']>[0]['fields']>>[0];
type PothosArgBuilder = Parameters<Parameters<typeof builder.queryField>[1]>[0]['arg'];

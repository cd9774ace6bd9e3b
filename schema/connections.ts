import { builder } from './builder.js';

/** What a list resolver returns: one page, newest first, and how to count the whole list. */
export interface PageShape {
  edges: { cursor: string }[];
  hasNextPage: boolean;
  endCursor: string | null;
  totalCount: () => Promise<number>;
}

/** The pageInfo and totalCount fields every connection of the contract carries. */
export function pageFieldsOf<T extends PageShape>(t: PothosFieldBuilder<T>) {
  return {
    pageInfo: t.field({
      type: builder.pageInfoRef(),
      resolve: (page) => ({ hasNextPage: page.hasNextPage, hasPreviousPage: false, startCursor: page.edges[0]?.cursor ?? null, endCursor: page.endCursor }),
    }),
    totalCount: t.int({ resolve: (page) => page.totalCount() }),
  };
}

type PothosFieldBuilder<T> = Parameters<NonNullable<Parameters<ReturnType<typeof builder.objectRef<T>>['implement']>[0]['fields']>>[0];

import { eq, sql } from 'drizzle-orm';
import type { PgDb } from './client.js';
import { accounts } from './tables/index.js';

export type DrawProtocol = (accountId: number) => Promise<number>;

/**
 * Protocol numbers are drawn on connections of their own, each draw committed at once: the account
 * row stays locked for one statement instead of a whole ingest, so writers of one account no longer
 * queue behind each other. A number drawn by a write that finally fails is skipped, as Chatwoot's
 * per-account display ids are; numbers stay unique and increasing per account.
 */
export function protocolCounterOn(db: PgDb): DrawProtocol {
  return async (accountId) => {
    const [row] = await db
      .update(accounts)
      .set({ ticketSequence: sql`${accounts.ticketSequence} + 1` })
      .where(eq(accounts.id, accountId))
      .returning({ protocol: accounts.ticketSequence });
    if (!row) throw new Error(`no account ${accountId} to number a ticket in`);
    return row.protocol;
  };
}

/**
 * The draws of one write: an attempt retried after a conflict gets the numbers its earlier attempt
 * drew, in the same order, so retries leave no gap.
 */
export function protocolsOfOneWrite(draw: DrawProtocol): () => DrawProtocol {
  const drawn = new Map<number, number[]>();
  return () => {
    const used = new Map<number, number>();
    return async (accountId) => {
      const numbers = drawn.get(accountId) ?? [];
      const index = used.get(accountId) ?? 0;
      used.set(accountId, index + 1);
      if (index < numbers.length) return numbers[index]!;
      const protocol = await draw(accountId);
      drawn.set(accountId, [...numbers, protocol]);
      return protocol;
    };
  };
}

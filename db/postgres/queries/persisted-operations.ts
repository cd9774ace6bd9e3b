import { and, asc, eq } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { persistedOperations } from '../tables/index.js';
import type { PersistedOperation } from '../../types.js';
import type { PersistedOperationQueries } from '../../store.js';
import { sameText } from './texts.js';

export function persistedOperationQueries(db: PgDb): PersistedOperationQueries {
  const byHash = async (accountId: number, hash: string): Promise<PersistedOperation | null> => {
    const [row] = await db
      .select()
      .from(persistedOperations)
      .where(and(eq(persistedOperations.accountId, accountId), sameText(persistedOperations.hash, hash)));
    return row ?? null;
  };

  return {
    /** Oldest registration first. */
    async list(accountId) {
      return db
        .select()
        .from(persistedOperations)
        .where(eq(persistedOperations.accountId, accountId))
        .orderBy(asc(persistedOperations.createdAt), asc(persistedOperations.hash));
    },

    byHash,

    /**
     * Registering the same document again keeps the first registration. ON CONFLICT waits for a racing
     * insert of the same key to commit, so the read after it finds whichever registration won.
     */
    async insert(operation) {
      await db.insert(persistedOperations).values(operation).onConflictDoNothing();
      return (await byHash(operation.accountId, operation.hash))!;
    },

    async delete(accountId, hash) {
      const [row] = await db
        .delete(persistedOperations)
        .where(and(eq(persistedOperations.accountId, accountId), sameText(persistedOperations.hash, hash)))
        .returning();
      return row ?? null;
    },
  };
}

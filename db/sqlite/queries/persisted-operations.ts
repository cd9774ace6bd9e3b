import { and, asc, eq } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { persistedOperations } from '../tables/index.js';
import type { PersistedOperation } from '../../types.js';

export function persistedOperationQueries(db: SqliteDb) {
  return {
    async list(accountId: number): Promise<PersistedOperation[]> {
      return db.select().from(persistedOperations).where(eq(persistedOperations.accountId, accountId)).orderBy(asc(persistedOperations.createdAt), asc(persistedOperations.hash)).all();
    },

    async byHash(accountId: number, hash: string): Promise<PersistedOperation | null> {
      return db.select().from(persistedOperations).where(and(eq(persistedOperations.accountId, accountId), eq(persistedOperations.hash, hash))).get() ?? null;
    },

    /** Registering the same document again keeps the first registration. */
    async insert(operation: PersistedOperation): Promise<PersistedOperation> {
      db.insert(persistedOperations).values(operation).onConflictDoNothing().run();
      return (await this.byHash(operation.accountId, operation.hash))!;
    },

    async delete(accountId: number, hash: string): Promise<PersistedOperation | null> {
      return db.delete(persistedOperations).where(and(eq(persistedOperations.accountId, accountId), eq(persistedOperations.hash, hash))).returning().get() ?? null;
    },
  };
}

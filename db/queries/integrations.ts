import { and, desc, eq, isNull } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { integrations } from '../tables/index.js';
import type { Integration } from '../types.js';

export function integrationQueries(db: SqliteDb) {
  return {
    async byId(id: number): Promise<Integration | null> {
      return db.select().from(integrations).where(eq(integrations.id, id)).get() ?? null;
    },

    async list(accountId: number): Promise<Integration[]> {
      return db.select().from(integrations).where(eq(integrations.accountId, accountId)).orderBy(desc(integrations.id)).all();
    },

    async insert(integration: { accountId: number; name: string; createdById: number | null }, at: Date): Promise<Integration> {
      return db
        .insert(integrations)
        .values({ ...integration, createdAt: at })
        .returning()
        .get();
    },

    /** Revokes once; a second call finds nothing to change and returns null. */
    async revoke(accountId: number, id: number, at: Date): Promise<Integration | null> {
      return (
        db
          .update(integrations)
          .set({ revokedAt: at })
          .where(and(eq(integrations.accountId, accountId), eq(integrations.id, id), isNull(integrations.revokedAt)))
          .returning()
          .get() ?? null
      );
    },
  };
}

export type IntegrationQueries = ReturnType<typeof integrationQueries>;

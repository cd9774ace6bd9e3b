import { and, eq, isNull } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { refreshTokens } from '../tables/index.js';
import type { NewRefreshToken, RefreshToken } from '../../types.js';

export function refreshTokenQueries(db: SqliteDb) {
  return {
    async insert(row: NewRefreshToken): Promise<void> {
      db.insert(refreshTokens).values(row).run();
    },

    async byHash(tokenHash: string): Promise<RefreshToken | null> {
      return db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash)).get() ?? null;
    },

    /** Conditional: false when the token was already rotated or revoked (a racing refresh lost). */
    async markRotated(id: number, at: Date): Promise<boolean> {
      return (
        db
          .update(refreshTokens)
          .set({ rotatedAt: at })
          .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)))
          .run().changes === 1
      );
    },

    async revokeFamily(family: string, at: Date): Promise<number> {
      return db.update(refreshTokens).set({ revokedAt: at }).where(and(eq(refreshTokens.family, family), isNull(refreshTokens.revokedAt))).run().changes;
    },

    async revokeAllOf(userId: number, at: Date): Promise<number> {
      return db.update(refreshTokens).set({ revokedAt: at }).where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt))).run().changes;
    },
  };
}

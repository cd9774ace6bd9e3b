import { and, eq, isNull } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { refreshTokens } from '../tables/index.js';
import type { RefreshTokenQueries } from '../../store.js';

export function refreshTokenQueries(db: PgDb): RefreshTokenQueries {
  return {
    async insert(row) {
      await db.insert(refreshTokens).values(row);
    },

    async byHash(tokenHash) {
      const [row] = await db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
      return row ?? null;
    },

    /**
     * Conditional: false when the token was already rotated or revoked (a racing refresh lost). A racer
     * blocked on the row lock re-checks the condition once the winner commits, and finds nothing to change.
     */
    async markRotated(id, at) {
      const rotated = await db
        .update(refreshTokens)
        .set({ rotatedAt: at })
        .where(and(eq(refreshTokens.id, id), isNull(refreshTokens.rotatedAt), isNull(refreshTokens.revokedAt)))
        .returning({ id: refreshTokens.id });
      return rotated.length === 1;
    },

    async revokeFamily(family, at) {
      const revoked = await db
        .update(refreshTokens)
        .set({ revokedAt: at })
        .where(and(eq(refreshTokens.family, family), isNull(refreshTokens.revokedAt)))
        .returning({ id: refreshTokens.id });
      return revoked.length;
    },

    async revokeAllOf(userId, at) {
      const revoked = await db
        .update(refreshTokens)
        .set({ revokedAt: at })
        .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
        .returning({ id: refreshTokens.id });
      return revoked.length;
    },
  };
}

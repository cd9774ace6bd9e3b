import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { accounts, integrations } from '../tables/index.js';
import type { Integration, IntegrationOfToken, IntegrationScope, StoredToken } from '../../types.js';

// Every column but token_hash: the hash is matched here and never handed out of db/.
const visible = {
  id: integrations.id,
  accountId: integrations.accountId,
  name: integrations.name,
  scopes: integrations.scopes,
  tokenHint: integrations.tokenHint,
  lastUsedAt: integrations.lastUsedAt,
  createdById: integrations.createdById,
  createdAt: integrations.createdAt,
  revokedAt: integrations.revokedAt,
};

const accountSuspended = sql<boolean>`coalesce((SELECT ${accounts.suspendedAt} IS NOT NULL FROM ${accounts} WHERE ${accounts.id} = ${integrations.accountId}), 0)`.mapWith(Boolean);

export function integrationQueries(db: SqliteDb) {
  return {
    async byId(id: number): Promise<Integration | null> {
      return db.select(visible).from(integrations).where(eq(integrations.id, id)).get() ?? null;
    },

    /** The integration whose token hashes to `tokenHash` (revoked ones too, so the caller can say so); one unique-index read. */
    async byTokenHash(tokenHash: string): Promise<IntegrationOfToken | null> {
      return db.select({ ...visible, accountSuspended }).from(integrations).where(eq(integrations.tokenHash, tokenHash)).get() ?? null;
    },

    async list(accountId: number): Promise<Integration[]> {
      return db.select(visible).from(integrations).where(eq(integrations.accountId, accountId)).orderBy(desc(integrations.id)).all();
    },

    async insert(
      integration: { accountId: number; name: string; scopes: IntegrationScope[]; createdById: number | null } & StoredToken,
      at: Date,
    ): Promise<Integration> {
      return db
        .insert(integrations)
        .values({ ...integration, createdAt: at })
        .returning(visible)
        .get();
    },

    /** Revokes once; a second call finds nothing to change and returns null. */
    async revoke(accountId: number, id: number, at: Date): Promise<Integration | null> {
      return (
        db
          .update(integrations)
          .set({ revokedAt: at })
          .where(and(eq(integrations.accountId, accountId), eq(integrations.id, id), isNull(integrations.revokedAt)))
          .returning(visible)
          .get() ?? null
      );
    },

    /** Replaces the token of a live integration (the old one stops matching); null when missing or revoked. */
    async replaceToken(accountId: number, id: number, token: StoredToken): Promise<Integration | null> {
      return (
        db
          .update(integrations)
          .set({ ...token, lastUsedAt: null })
          .where(and(eq(integrations.accountId, accountId), eq(integrations.id, id), isNull(integrations.revokedAt)))
          .returning(visible)
          .get() ?? null
      );
    },

    /** Marks the integration used at `at`, unless it already was since `unlessSince`: concurrent requests write once. */
    async markUsed(id: number, at: Date, unlessSince: Date): Promise<void> {
      db.update(integrations)
        .set({ lastUsedAt: at })
        .where(and(eq(integrations.id, id), or(isNull(integrations.lastUsedAt), lt(integrations.lastUsedAt, unlessSince))))
        .run();
    },
  };
}

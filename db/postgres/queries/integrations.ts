import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { accounts, integrations } from '../tables/index.js';
import type { IntegrationQueries } from '../../store.js';
import { sameId } from './ids.js';

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

const accountSuspended = sql<boolean>`coalesce((SELECT ${accounts.suspendedAt} IS NOT NULL FROM ${accounts} WHERE ${accounts.id} = ${integrations.accountId}), false)`;

export function integrationQueries(db: PgDb): IntegrationQueries {
  return {
    async byId(id) {
      const [row] = await db.select(visible).from(integrations).where(sameId(integrations.id, id));
      return row ?? null;
    },

    /** The integration whose token hashes to `tokenHash` (revoked ones too, so the caller can say so); one unique-index read. */
    async byTokenHash(tokenHash) {
      const [row] = await db.select({ ...visible, accountSuspended }).from(integrations).where(eq(integrations.tokenHash, tokenHash));
      return row ?? null;
    },

    async list(accountId) {
      return db.select(visible).from(integrations).where(eq(integrations.accountId, accountId)).orderBy(desc(integrations.id));
    },

    async insert(integration, at) {
      const [row] = await db
        .insert(integrations)
        .values({ ...integration, createdAt: at })
        .returning(visible);
      return row!;
    },

    /** Revokes once: the row changes only while revoked_at is null, so a second (or racing) call gets null. */
    async revoke(accountId, id, at) {
      const [row] = await db
        .update(integrations)
        .set({ revokedAt: at })
        .where(and(eq(integrations.accountId, accountId), sameId(integrations.id, id), isNull(integrations.revokedAt)))
        .returning(visible);
      return row ?? null;
    },

    /** Replaces the token of a live integration (the old one stops matching); null when missing or revoked. */
    async replaceToken(accountId, id, token) {
      const [row] = await db
        .update(integrations)
        .set({ ...token, lastUsedAt: null })
        .where(and(eq(integrations.accountId, accountId), sameId(integrations.id, id), isNull(integrations.revokedAt)))
        .returning(visible);
      return row ?? null;
    },

    /** Marks the integration used at `at`, unless it already was since `unlessSince`: concurrent requests write once. */
    async markUsed(id, at, unlessSince) {
      await db
        .update(integrations)
        .set({ lastUsedAt: at })
        .where(and(sameId(integrations.id, id), or(isNull(integrations.lastUsedAt), lt(integrations.lastUsedAt, unlessSince))));
    },
  };
}

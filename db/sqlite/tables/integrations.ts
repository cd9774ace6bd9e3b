import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { IntegrationScope } from '../../types.js';
import { accounts } from './accounts.js';
import { users } from './users.js';

/** A bot or channel allowed to call ingestion; its tokens die with revokedAt. */
export const integrations = sqliteTable(
  'integrations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    // What its token may do; tokens issued before scopes existed could ingest only.
    scopes: text('scopes', { mode: 'json' }).$type<IntegrationScope[]>().notNull().default(['INGEST']),
    // SHA-256 of the opaque token shown once; the token itself is never stored.
    tokenHash: text('token_hash'),
    tokenHint: text('token_hint'),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    createdById: integer('created_by_id').references(() => users.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('integrations_account').on(t.accountId), uniqueIndex('integrations_token_hash').on(t.tokenHash)],
);

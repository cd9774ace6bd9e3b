import { index, integer, json, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { IntegrationScope } from '../../types.js';
import { accounts } from './accounts.js';
import { users } from './users.js';

/** A bot or channel allowed to call ingestion; its tokens die with revokedAt. */
export const integrations = pgTable(
  'integrations',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    name: text('name').notNull(),
    // What its token may do; tokens issued before scopes existed could ingest only.
    scopes: json('scopes').$type<IntegrationScope[]>().notNull().default(['INGEST']),
    // SHA-256 of the opaque token shown once; the token itself is never stored.
    tokenHash: text('token_hash'),
    tokenHint: text('token_hint'),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date', precision: 3 }),
    createdById: integer('created_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date', precision: 3 }),
  },
  (t) => [index('integrations_account').on(t.accountId), uniqueIndex('integrations_token_hash').on(t.tokenHash)],
);

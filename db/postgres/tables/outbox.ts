import { index, integer, json, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.js';

/** Domain events written in the transaction that caused them; delivery reads from here. */
export const outbox = pgTable(
  'outbox',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    type: text('type').notNull(),
    payload: json('payload').$type<Record<string, unknown>>().notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    /** The id of the first event of the same transaction (null on that first one): a replay regroups its commits. */
    commitId: integer('commit_id'),
  },
  (t) => [index('outbox_account').on(t.accountId, t.id)],
);

/** How far each consumer (webhooks, each plugin's handlers) has read the outbox; survives restarts. */
export const outboxConsumers = pgTable('outbox_consumers', {
  name: text('name').primaryKey(),
  lastEventId: integer('last_event_id').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
});

/** An event a consumer's handler kept failing on after every retry: kept for inspection, then skipped. */
export const outboxFailures = pgTable(
  'outbox_failures',
  {
    consumer: text('consumer').notNull(),
    eventId: integer('event_id').notNull(),
    attempts: integer('attempts').notNull(),
    lastError: text('last_error').notNull(),
    failedAt: timestamp('failed_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

/** A plugin's own small records (e.g. the Chatwoot bridge's conversation <-> ticket map), each under its account. */
export const pluginRecords = pgTable(
  'plugin_records',
  {
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    plugin: text('plugin').notNull(),
    kind: text('kind').notNull(),
    key: text('key').notNull(),
    value: json('value').$type<unknown>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.plugin, t.kind, t.key] })],
);

import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { WebhookDeliveryStatus } from '../../types.js';
import { accounts } from './accounts.js';
import { users } from './users.js';

/** An endpoint an ADMIN registered to receive some public events, signed with its secret. */
export const webhooks = sqliteTable(
  'webhooks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    url: text('url').notNull(),
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    // Kept readable: every delivery is signed with it (HMAC-SHA256).
    secret: text('secret').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull(),
    description: text('description'),
    createdById: integer('created_by_id').references(() => users.id),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
    deletedAt: integer('deleted_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('webhooks_account').on(t.accountId)],
);

/** One event for one webhook: its body is frozen at fan-out, so every retry signs the same bytes. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    webhookId: integer('webhook_id')
      .notNull()
      .references(() => webhooks.id),
    eventId: integer('event_id').notNull(),
    eventType: text('event_type').notNull(),
    // Deliveries with the same key (one ticket) reach a webhook in event order.
    orderingKey: text('ordering_key'),
    body: text('body').notNull(),
    status: text('status').$type<WebhookDeliveryStatus>().notNull(),
    attempts: integer('attempts').notNull(),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }),
    lastAttemptAt: integer('last_attempt_at', { mode: 'timestamp_ms' }),
    responseStatus: integer('response_status'),
    lastError: text('last_error'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    deliveredAt: integer('delivered_at', { mode: 'timestamp_ms' }),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event').on(t.webhookId, t.eventId),
    index('webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_order').on(t.webhookId, t.orderingKey, t.status, t.id),
  ],
);

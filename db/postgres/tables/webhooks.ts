import { boolean, index, integer, json, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import type { WebhookDeliveryStatus } from '../../types.js';
import { accounts } from './accounts.js';
import { users } from './users.js';

/** An endpoint an ADMIN registered to receive some public events, signed with its secret. */
export const webhooks = pgTable(
  'webhooks',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
    accountId: integer('account_id')
      .notNull()
      .references(() => accounts.id),
    url: text('url').notNull(),
    events: json('events').$type<string[]>().notNull(),
    // Kept readable: every delivery is signed with it (HMAC-SHA256).
    secret: text('secret').notNull(),
    active: boolean('active').notNull(),
    description: text('description'),
    createdById: integer('created_by_id').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date', precision: 3 }),
  },
  (t) => [index('webhooks_account').on(t.accountId)],
);

/** One event for one webhook: its body is frozen at fan-out, so every retry signs the same bytes. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: integer('id').primaryKey().generatedByDefaultAsIdentity(),
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
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date', precision: 3 }),
    lastAttemptAt: timestamp('last_attempt_at', { withTimezone: true, mode: 'date', precision: 3 }),
    responseStatus: integer('response_status'),
    lastError: text('last_error'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date', precision: 3 }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true, mode: 'date', precision: 3 }),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event').on(t.webhookId, t.eventId),
    index('webhook_deliveries_due').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_order').on(t.webhookId, t.orderingKey, t.status, t.id),
  ],
);

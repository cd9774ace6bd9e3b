import { and, asc, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { webhookDeliveries, webhooks } from '../tables/index.js';
import type { DeliveryOutcome, NewWebhook, NewWebhookDelivery, Webhook, WebhookChanges, WebhookDelivery, WebhookDeliveryStatus, PageDirection } from '../../types.js';
import { beyond, pageOfRows, readOrder } from '../../pages.js';

const unsettled: WebhookDeliveryStatus[] = ['PENDING', 'RETRYING'];
/** A suspended account's deliveries are held: not sent, no attempt used, until the account resumes. */
const ofActiveAccount = sql`NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = ${webhookDeliveries.accountId} AND a.suspended_at IS NOT NULL)`;

function deliveriesWhere(accountId: number, filter: { webhookId?: number | null; status?: WebhookDeliveryStatus | null }) {
  return and(
    eq(webhookDeliveries.accountId, accountId),
    filter.webhookId ? eq(webhookDeliveries.webhookId, filter.webhookId) : undefined,
    filter.status ? eq(webhookDeliveries.status, filter.status) : undefined,
  );
}

export function webhookQueries(db: SqliteDb) {
  return {
    /** Deliveries of every account by status (the metrics' gauge). */
    async deliveryCounts(): Promise<{ status: WebhookDeliveryStatus; count: number }[]> {
      return db.select({ status: webhookDeliveries.status, count: sql<number>`count(*)` }).from(webhookDeliveries).groupBy(webhookDeliveries.status).all();
    },

    async list(accountId: number): Promise<Webhook[]> {
      return db.select().from(webhooks).where(and(eq(webhooks.accountId, accountId), isNull(webhooks.deletedAt))).orderBy(asc(webhooks.id)).all();
    },

    async byId(accountId: number, id: number): Promise<Webhook | null> {
      return db.select().from(webhooks).where(and(eq(webhooks.accountId, accountId), eq(webhooks.id, id), isNull(webhooks.deletedAt))).get() ?? null;
    },

    async byIds(ids: readonly number[]): Promise<Webhook[]> {
      return ids.length === 0 ? [] : db.select().from(webhooks).where(inArray(webhooks.id, [...ids])).all();
    },

    async insert(webhook: NewWebhook, at: Date): Promise<Webhook> {
      return db.insert(webhooks).values({ ...webhook, createdAt: at, updatedAt: at }).returning().get();
    },

    async update(accountId: number, id: number, changes: WebhookChanges, at: Date): Promise<Webhook | null> {
      return db.update(webhooks).set({ ...changes, updatedAt: at }).where(and(eq(webhooks.accountId, accountId), eq(webhooks.id, id), isNull(webhooks.deletedAt))).returning().get() ?? null;
    },

    /** Kept as a row (deleted) so its delivery log still names it; pending deliveries die with it. */
    async delete(accountId: number, id: number, at: Date): Promise<Webhook | null> {
      const deleted = db.update(webhooks).set({ deletedAt: at, active: false, updatedAt: at }).where(and(eq(webhooks.accountId, accountId), eq(webhooks.id, id), isNull(webhooks.deletedAt))).returning().get();
      if (deleted) {
        db.update(webhookDeliveries).set({ status: 'DEAD', nextAttemptAt: null, lastError: 'webhook deleted' }).where(and(eq(webhookDeliveries.webhookId, id), inArray(webhookDeliveries.status, unsettled))).run();
      }
      return deleted ?? null;
    },

    async activeOf(accountId: number): Promise<Webhook[]> {
      return db.select().from(webhooks).where(and(eq(webhooks.accountId, accountId), eq(webhooks.active, true), isNull(webhooks.deletedAt))).all();
    },

    /** One row per (webhook, event): a replayed fan-out adds nothing. */
    async enqueue(rows: readonly NewWebhookDelivery[], at: Date): Promise<void> {
      if (rows.length === 0) return;
      db.insert(webhookDeliveries)
        .values(rows.map((row) => ({ ...row, status: 'PENDING' as const, attempts: 0, nextAttemptAt: at, createdAt: at })))
        .onConflictDoNothing()
        .run();
    },

    /**
     * Deliveries due now, oldest first, skipping any with an unsettled earlier delivery of the same
     * webhook and ticket (a ticket's events reach a receiver in order) and those of a suspended account.
     */
    async due(now: Date, limit: number): Promise<WebhookDelivery[]> {
      const earlier = sql`EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.webhook_id = ${webhookDeliveries.webhookId}
        AND e.ordering_key = ${webhookDeliveries.orderingKey} AND e.status IN ('PENDING', 'RETRYING') AND e.id < ${webhookDeliveries.id})`;
      return db
        .select()
        .from(webhookDeliveries)
        .where(and(inArray(webhookDeliveries.status, unsettled), lte(webhookDeliveries.nextAttemptAt, now), sql`NOT ${earlier}`, ofActiveAccount))
        .orderBy(asc(webhookDeliveries.id))
        .limit(limit)
        .all();
    },

    async nextDueAt(): Promise<Date | null> {
      const row = db.select({ at: sql<number | null>`min(${webhookDeliveries.nextAttemptAt})` }).from(webhookDeliveries).where(and(inArray(webhookDeliveries.status, unsettled), ofActiveAccount)).get();
      return row?.at == null ? null : new Date(row.at);
    },

    /** Only an unsettled delivery takes an outcome (a redeliver meanwhile wins). */
    async recordOutcome(id: number, attemptsBefore: number, outcome: DeliveryOutcome): Promise<void> {
      db.update(webhookDeliveries)
        .set(outcome)
        .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.attempts, attemptsBefore), inArray(webhookDeliveries.status, unsettled)))
        .run();
    },

    async deliveryById(accountId: number, id: number): Promise<WebhookDelivery | null> {
      return db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.accountId, accountId), eq(webhookDeliveries.id, id))).get() ?? null;
    },

    async deliveries(
      accountId: number,
      filter: { webhookId?: number | null; status?: WebhookDeliveryStatus | null },
      size: number,
      cursorId?: number,
      direction: PageDirection = 'forward',
    ): Promise<{ deliveries: WebhookDelivery[]; hasMore: boolean }> {
      const rows = db
        .select()
        .from(webhookDeliveries)
        .where(
          and(
            deliveriesWhere(accountId, filter),
            beyond(webhookDeliveries.id, cursorId, direction),
          ),
        )
        .orderBy(readOrder(direction)(webhookDeliveries.id))
        .limit(size + 1)
        .all();
      const page = pageOfRows(rows, size, direction);
      return { deliveries: page.rows, hasMore: page.hasMore };
    },

    async countDeliveries(accountId: number, filter: { webhookId?: number | null; status?: WebhookDeliveryStatus | null }): Promise<number> {
      return db.$count(webhookDeliveries, deliveriesWhere(accountId, filter));
    },

    /** A fresh start for one delivery: attempts from zero, due now. */
    async requeue(accountId: number, id: number, at: Date): Promise<WebhookDelivery | null> {
      return (
        db
          .update(webhookDeliveries)
          .set({ status: 'PENDING', attempts: 0, nextAttemptAt: at, lastError: null, responseStatus: null, deliveredAt: null })
          .where(and(eq(webhookDeliveries.accountId, accountId), eq(webhookDeliveries.id, id)))
          .returning()
          .get() ?? null
      );
    },
  };
}

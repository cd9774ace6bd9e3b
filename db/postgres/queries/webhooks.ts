import { and, asc, count, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { webhookDeliveries, webhooks } from '../tables/index.js';
import type { WebhookQueries } from '../../store.js';
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

export function webhookQueries(db: PgDb): WebhookQueries {
  return {
    /** Deliveries of every account by status (the metrics' gauge). */
    async deliveryCounts(): Promise<{ status: WebhookDeliveryStatus; count: number }[]> {
      return db.select({ status: webhookDeliveries.status, count: count() }).from(webhookDeliveries).groupBy(webhookDeliveries.status);
    },

    async list(accountId: number): Promise<Webhook[]> {
      return db.select().from(webhooks).where(and(eq(webhooks.accountId, accountId), isNull(webhooks.deletedAt))).orderBy(asc(webhooks.id));
    },

    async byId(accountId: number, id: number): Promise<Webhook | null> {
      const [row] = await db.select().from(webhooks).where(and(eq(webhooks.accountId, accountId), eq(webhooks.id, id), isNull(webhooks.deletedAt)));
      return row ?? null;
    },

    async byIds(ids: readonly number[]): Promise<Webhook[]> {
      if (ids.length === 0) return [];
      return db.select().from(webhooks).where(inArray(webhooks.id, [...ids]));
    },

    async insert(webhook: NewWebhook, at: Date): Promise<Webhook> {
      const [row] = await db.insert(webhooks).values({ ...webhook, createdAt: at, updatedAt: at }).returning();
      return row!;
    },

    async update(accountId: number, id: number, changes: WebhookChanges, at: Date): Promise<Webhook | null> {
      const [row] = await db
        .update(webhooks)
        .set({ ...changes, updatedAt: at })
        .where(and(eq(webhooks.accountId, accountId), eq(webhooks.id, id), isNull(webhooks.deletedAt)))
        .returning();
      return row ?? null;
    },

    /** Kept as a row (deleted) so its delivery log still names it; pending deliveries die with it. */
    async delete(accountId: number, id: number, at: Date): Promise<Webhook | null> {
      const [deleted] = await db
        .update(webhooks)
        .set({ deletedAt: at, active: false, updatedAt: at })
        .where(and(eq(webhooks.accountId, accountId), eq(webhooks.id, id), isNull(webhooks.deletedAt)))
        .returning();
      if (deleted) {
        await db
          .update(webhookDeliveries)
          .set({ status: 'DEAD', nextAttemptAt: null, lastError: 'webhook deleted' })
          .where(and(eq(webhookDeliveries.webhookId, id), inArray(webhookDeliveries.status, unsettled)));
      }
      return deleted ?? null;
    },

    async activeOf(accountId: number): Promise<Webhook[]> {
      return db.select().from(webhooks).where(and(eq(webhooks.accountId, accountId), eq(webhooks.active, true), isNull(webhooks.deletedAt)));
    },

    /** One row per (webhook, event): a replayed fan-out adds nothing (the unique index decides, race-free). */
    async enqueue(rows: readonly NewWebhookDelivery[], at: Date): Promise<void> {
      if (rows.length === 0) return;
      await db
        .insert(webhookDeliveries)
        .values(rows.map((row) => ({ ...row, status: 'PENDING' as const, attempts: 0, nextAttemptAt: at, createdAt: at })))
        .onConflictDoNothing();
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
        .limit(limit);
    },

    async nextDueAt(): Promise<Date | null> {
      const [row] = await db
        .select({ at: sql<Date | null>`min(${webhookDeliveries.nextAttemptAt})`.mapWith(webhookDeliveries.nextAttemptAt) })
        .from(webhookDeliveries)
        .where(and(inArray(webhookDeliveries.status, unsettled), ofActiveAccount));
      return row?.at ?? null;
    },

    /** Only an unsettled delivery takes an outcome (a redeliver meanwhile wins): one conditional UPDATE. */
    async recordOutcome(id: number, attemptsBefore: number, outcome: DeliveryOutcome): Promise<void> {
      await db
        .update(webhookDeliveries)
        .set(outcome)
        .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.attempts, attemptsBefore), inArray(webhookDeliveries.status, unsettled)));
    },

    async deliveryById(accountId: number, id: number): Promise<WebhookDelivery | null> {
      const [row] = await db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.accountId, accountId), eq(webhookDeliveries.id, id)));
      return row ?? null;
    },

    async deliveries(
      accountId: number,
      filter: { webhookId?: number | null; status?: WebhookDeliveryStatus | null },
      size: number,
      cursorId?: number,
      direction: PageDirection = 'forward',
    ): Promise<{ deliveries: WebhookDelivery[]; hasMore: boolean }> {
      const rows = await db
        .select()
        .from(webhookDeliveries)
        .where(and(deliveriesWhere(accountId, filter), beyond(webhookDeliveries.id, cursorId, direction)))
        .orderBy(readOrder(direction)(webhookDeliveries.id))
        .limit(size + 1);
      const page = pageOfRows(rows, size, direction);
      return { deliveries: page.rows, hasMore: page.hasMore };
    },

    async countDeliveries(accountId: number, filter: { webhookId?: number | null; status?: WebhookDeliveryStatus | null }): Promise<number> {
      return db.$count(webhookDeliveries, deliveriesWhere(accountId, filter));
    },

    /** A fresh start for one delivery: attempts from zero, due now. */
    async requeue(accountId: number, id: number, at: Date): Promise<WebhookDelivery | null> {
      const [row] = await db
        .update(webhookDeliveries)
        .set({ status: 'PENDING', attempts: 0, nextAttemptAt: at, lastError: null, responseStatus: null, deliveredAt: null })
        .where(and(eq(webhookDeliveries.accountId, accountId), eq(webhookDeliveries.id, id)))
        .returning();
      return row ?? null;
    },
  };
}

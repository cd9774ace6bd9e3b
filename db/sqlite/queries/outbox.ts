import { and, asc, count, eq, gt, inArray, lt, lte, max, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { outbox, outboxConsumers, outboxFailures } from '../tables/index.js';
import type { InsertedCommit } from '../../store.js';
import type { CommittedEvent, NewOutboxEvent, OutboxEvent, OutboxFailure } from '../../types.js';

// The event as consumers see it; commit_id only serves a replay's regrouping.
const eventColumns = { id: outbox.id, accountId: outbox.accountId, type: outbox.type, payload: outbox.payload, occurredAt: outbox.occurredAt };

export function outboxQueries(db: SqliteDb) {
  const latestOf = (accountId: number): number => db.select({ id: max(outbox.id) }).from(outbox).where(eq(outbox.accountId, accountId)).get()?.id ?? 0;
  return {
    async insertCommit(events: readonly NewOutboxEvent[]): Promise<InsertedCommit> {
      const precededBy = new Map<number, number>();
      for (const { accountId } of events) {
        if (!precededBy.has(accountId)) precededBy.set(accountId, latestOf(accountId));
      }
      const inserted: OutboxEvent[] = [];
      for (const event of events) inserted.push(db.insert(outbox).values({ ...event, commitId: inserted[0]?.id ?? null }).returning(eventColumns).get());
      return { events: inserted, precededBy };
    },

    async count(accountId: number): Promise<number> {
      return db.select({ n: count() }).from(outbox).where(eq(outbox.accountId, accountId)).get()?.n ?? 0;
    },

    /** Events recorded after `eventId`, oldest first: what a consumer has not read yet. */
    async after(eventId: number, limit: number): Promise<OutboxEvent[]> {
      return db.select(eventColumns).from(outbox).where(gt(outbox.id, eventId)).orderBy(asc(outbox.id)).limit(limit).all();
    },

    async lastEventId(): Promise<number> {
      return db.select({ id: max(outbox.id) }).from(outbox).get()?.id ?? 0;
    },

    async latestOfAccount(accountId: number): Promise<number> {
      return latestOf(accountId);
    },

    async ofAccountAfter(accountId: number, eventId: number, limit: number): Promise<CommittedEvent[]> {
      return db
        .select({ ...eventColumns, commitId: sql<number>`coalesce(${outbox.commitId}, ${outbox.id})` })
        .from(outbox).where(and(eq(outbox.accountId, accountId), gt(outbox.id, eventId))).orderBy(asc(outbox.id)).limit(limit).all();
    },

    // AUTOINCREMENT keeps the highest id in sqlite_sequence even when pruning emptied the table.
    async issuedThrough(): Promise<number> {
      return db.get<{ seq: number } | undefined>(sql`SELECT seq FROM sqlite_sequence WHERE name = 'outbox'`)?.seq ?? 0;
    },

    async keeps(eventId: number): Promise<boolean> {
      return db.select({ id: outbox.id }).from(outbox).where(eq(outbox.id, eventId)).get() !== undefined;
    },

    // Scans the account's kept events (outbox_account index); only asked for a message read outside the stream.
    async eventIdsOfMessages(accountId: number, messageIds: readonly number[]): Promise<Map<number, number>> {
      const messageId = sql<number>`json_extract(${outbox.payload}, '$.messageId')`;
      const rows = db
        .select({ id: outbox.id, messageId })
        .from(outbox)
        .where(and(eq(outbox.accountId, accountId), eq(outbox.type, 'message.created'), inArray(messageId, [...messageIds])))
        .all();
      return new Map(rows.map((row) => [row.messageId, row.id]));
    },

    /** For each consumer, how many recorded events it has not handled yet. */
    async consumerLags(): Promise<{ consumer: string; events: number }[]> {
      return db
        .select({ consumer: outboxConsumers.name, events: sql<number>`(SELECT coalesce(max(id), 0) FROM outbox) - ${outboxConsumers.lastEventId}` })
        .from(outboxConsumers)
        .all();
    },

    /** Events set aside after every retry failed (dead letters), by consumer. */
    async failureCounts(): Promise<{ consumer: string; count: number }[]> {
      return db.select({ consumer: outboxFailures.consumer, count: count() }).from(outboxFailures).groupBy(outboxFailures.consumer).all();
    },

    async cursorOf(consumer: string): Promise<number | null> {
      return db.select({ id: outboxConsumers.lastEventId }).from(outboxConsumers).where(eq(outboxConsumers.name, consumer)).get()?.id ?? null;
    },

    /** A new consumer starts at `eventId`; an existing one keeps its place. */
    async registerConsumer(consumer: string, eventId: number, at: Date): Promise<void> {
      db.insert(outboxConsumers).values({ name: consumer, lastEventId: eventId, updatedAt: at }).onConflictDoNothing().run();
    },

    /** Moves forward only, so a slow writer can never move a cursor back. */
    async advanceConsumer(consumer: string, eventId: number, at: Date): Promise<void> {
      db.update(outboxConsumers)
        .set({ lastEventId: sql`max(${outboxConsumers.lastEventId}, ${eventId})`, updatedAt: at })
        .where(eq(outboxConsumers.name, consumer))
        .run();
    },

    /** Deletes events every consumer has passed (up to `upToId`) that are older than `before`. */
    async prune(upToId: number, before: Date): Promise<number> {
      return db.delete(outbox).where(and(lte(outbox.id, upToId), lt(outbox.occurredAt, before))).run().changes;
    },

    async recordFailure(failure: OutboxFailure): Promise<void> {
      db.insert(outboxFailures)
        .values(failure)
        .onConflictDoUpdate({ target: [outboxFailures.consumer, outboxFailures.eventId], set: { attempts: failure.attempts, lastError: failure.lastError, failedAt: failure.failedAt } })
        .run();
    },
  };
}

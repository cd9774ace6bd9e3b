import { and, asc, count, eq, gt, inArray, lt, lte, max, sql } from 'drizzle-orm';
import pg from 'pg';
import type { PgConnections, PgDb } from '../client.js';
import { outbox, outboxConsumers, outboxFailures } from '../tables/index.js';
import type { InsertedCommit, OutboxQueries } from '../../store.js';
import type { CommittedEvent, NewOutboxEvent, OutboxEvent, OutboxFailure } from '../../types.js';

// The event as consumers see it; commit_id only serves a replay's regrouping.
const eventColumns = { id: outbox.id, accountId: outbox.accountId, type: outbox.type, payload: outbox.payload, occurredAt: outbox.occurredAt };

// Ids here are read in commit order only because every transaction's events are inserted under one
// advisory lock held until commit (outbox_append, migration 0010): `id > cursor` skips nothing.
export function outboxQueries(db: PgDb): OutboxQueries {
  return {
    async count(accountId: number): Promise<number> {
      const [row] = await db.select({ n: count() }).from(outbox).where(eq(outbox.accountId, accountId));
      return row?.n ?? 0;
    },

    /** Events recorded after `eventId`, oldest first: what a consumer has not read yet. */
    async after(eventId: number, limit: number): Promise<OutboxEvent[]> {
      return db.select(eventColumns).from(outbox).where(gt(outbox.id, eventId)).orderBy(asc(outbox.id)).limit(limit);
    },

    async lastEventId(): Promise<number> {
      const [row] = await db.select({ id: max(outbox.id) }).from(outbox);
      return row?.id ?? 0;
    },

    async latestOfAccount(accountId: number): Promise<number> {
      const [row] = await db.select({ id: max(outbox.id) }).from(outbox).where(eq(outbox.accountId, accountId));
      return row?.id ?? 0;
    },

    async ofAccountAfter(accountId: number, eventId: number, limit: number): Promise<CommittedEvent[]> {
      return db
        .select({ ...eventColumns, commitId: sql<number>`coalesce(${outbox.commitId}, ${outbox.id})`.mapWith(Number) })
        .from(outbox)
        .where(and(eq(outbox.accountId, accountId), gt(outbox.id, eventId)))
        .orderBy(asc(outbox.id))
        .limit(limit);
    },

    // The identity sequence keeps the highest id handed out even when pruning emptied the table
    // (NULL until the first nextval, or after db:copy set it to "not called").
    async issuedThrough(): Promise<number> {
      const { rows } = await db.execute<{ id: number | null }>(
        sql`SELECT pg_sequence_last_value(pg_get_serial_sequence('outbox', 'id')::regclass) AS id`,
      );
      return rows[0]?.id == null ? 0 : Number(rows[0].id);
    },

    async keeps(eventId: number): Promise<boolean> {
      const rows = await db.select({ id: outbox.id }).from(outbox).where(eq(outbox.id, eventId)).limit(1);
      return rows.length > 0;
    },

    // Scans the account's kept events (outbox_account index); only asked for a message read outside the stream.
    // Compared as text: a cast to integer could fail on another event type's payload before the type filter.
    async eventIdsOfMessages(accountId: number, messageIds: readonly number[]): Promise<Map<number, number>> {
      if (messageIds.length === 0) return new Map();
      const messageId = sql<string>`${outbox.payload}->>'messageId'`;
      const rows = await db
        .select({ id: outbox.id, messageId })
        .from(outbox)
        .where(and(eq(outbox.accountId, accountId), eq(outbox.type, 'message.created'), inArray(messageId, messageIds.map(String))));
      return new Map(rows.map((row) => [Number(row.messageId), row.id]));
    },

    /** For each consumer, how many recorded events it has not handled yet. */
    async consumerLags(): Promise<{ consumer: string; events: number }[]> {
      return db
        .select({ consumer: outboxConsumers.name, events: sql<number>`(SELECT coalesce(max(id), 0) FROM outbox) - ${outboxConsumers.lastEventId}`.mapWith(Number) })
        .from(outboxConsumers);
    },

    /** Events set aside after every retry failed (dead letters), by consumer. */
    async failureCounts(): Promise<{ consumer: string; count: number }[]> {
      return db.select({ consumer: outboxFailures.consumer, count: count() }).from(outboxFailures).groupBy(outboxFailures.consumer);
    },

    async cursorOf(consumer: string): Promise<number | null> {
      const [row] = await db.select({ id: outboxConsumers.lastEventId }).from(outboxConsumers).where(eq(outboxConsumers.name, consumer));
      return row?.id ?? null;
    },

    /** A new consumer starts at `eventId`; an existing one keeps its place. */
    async registerConsumer(consumer: string, eventId: number, at: Date): Promise<void> {
      await db.insert(outboxConsumers).values({ name: consumer, lastEventId: eventId, updatedAt: at }).onConflictDoNothing();
    },

    /** Moves forward only, so a slow writer can never move a cursor back. */
    async advanceConsumer(consumer: string, eventId: number, at: Date): Promise<void> {
      await db
        .update(outboxConsumers)
        .set({ lastEventId: sql`greatest(${outboxConsumers.lastEventId}, ${eventId})`, updatedAt: at })
        .where(eq(outboxConsumers.name, consumer));
    },

    /** Deletes events every consumer has passed (up to `upToId`) that are older than `before`. */
    async prune(upToId: number, before: Date): Promise<number> {
      const result = await db.delete(outbox).where(and(lte(outbox.id, upToId), lt(outbox.occurredAt, before)));
      return result.rowCount ?? 0;
    },

    async recordFailure(failure: OutboxFailure): Promise<void> {
      await db
        .insert(outboxFailures)
        .values(failure)
        .onConflictDoUpdate({ target: [outboxFailures.consumer, outboxFailures.eventId], set: { attempts: failure.attempts, lastError: failure.lastError, failedAt: failure.failedAt } });
    },
  };
}

/**
 * Appends a transaction's events and commits, in one round trip: outbox_append takes the outbox's
 * order lock, which COMMIT releases. Events travel as one JSON literal, since a text holding two
 * statements cannot carry parameters.
 */
export async function appendEventsAndCommit(connections: PgConnections, client: pg.PoolClient, events: readonly NewOutboxEvent[]): Promise<InsertedCommit> {
  const listed = JSON.stringify(events.map((event) => [event.accountId, event.type, event.payload, event.occurredAt.toISOString()]));
  const [appended] = await connections.send(client, `SELECT outbox_append(${pg.escapeLiteral(listed)}) AS appended; COMMIT`);
  const { ids, previous } = appended!.rows[0].appended as { ids: number[]; previous: [number, number][] };
  // Payloads as a consumer reading the outbox gets them (dates as their JSON text).
  const stored = JSON.parse(listed) as [number, string, Record<string, unknown>, string][];
  return {
    events: events.map((event, index) => ({ id: ids[index]!, accountId: event.accountId, type: event.type, payload: stored[index]![2], occurredAt: event.occurredAt })),
    precededBy: new Map(previous),
  };
}

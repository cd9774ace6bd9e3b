import { and, asc, count, eq, gt, inArray, lt, lte, max, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { outbox, outboxConsumers, outboxFailures } from '../tables/index.js';
import type { InsertedCommit, OutboxQueries } from '../../store.js';
import type { CommittedEvent, NewOutboxEvent, OutboxEvent, OutboxFailure } from '../../types.js';

// The event as consumers see it; commit_id only serves a replay's regrouping.
const eventColumns = { id: outbox.id, accountId: outbox.accountId, type: outbox.type, payload: outbox.payload, occurredAt: outbox.occurredAt };

// Ids here are read in commit order only because the store inserts every transaction's events
// under one advisory lock held until commit (db/postgres/store.ts): `id > cursor` skips nothing.
export function outboxQueries(db: PgDb): OutboxQueries {
  return {
    /**
     * One statement, so the store's advisory lock is held for one round trip more, not two plus one per
     * event: ids drawn in order, each account's previous event read (the same snapshot does not see
     * the rows inserted beside it), the events inserted with the first id as commit id.
     */
    async insertCommit(events: readonly NewOutboxEvent[]): Promise<InsertedCommit> {
      const accountIds = [...new Set(events.map((event) => event.accountId))];
      const rows = events.map(
        (event, index) => sql`(${index + 1}::int, ${event.accountId}::int, ${event.type}::text, ${JSON.stringify(event.payload)}::json, ${event.occurredAt.toISOString()}::timestamptz)`,
      );
      const { rows: [written] } = await db.execute<{ recorded: [number, Record<string, unknown>][]; previous: [number, number][] }>(sql`
        WITH drawn AS MATERIALIZED (SELECT nextval(pg_get_serial_sequence('outbox', 'id'))::int AS id, n FROM generate_series(1, ${events.length}::int) AS n),
        previous AS MATERIALIZED (
          SELECT wanted.account_id, coalesce((SELECT max(id) FROM outbox WHERE outbox.account_id = wanted.account_id), 0) AS id
          FROM unnest(${sql.param(accountIds)}::int[]) AS wanted(account_id)
        ),
        recorded AS (
          INSERT INTO outbox (id, account_id, type, payload, occurred_at, commit_id)
          SELECT drawn.id, event.account_id, event.type, event.payload, event.occurred_at, CASE WHEN drawn.n = 1 THEN NULL ELSE (SELECT min(id) FROM drawn) END
          FROM drawn JOIN (VALUES ${sql.join(rows, sql`, `)}) AS event(n, account_id, type, payload, occurred_at) ON event.n = drawn.n
          RETURNING id, payload
        )
        SELECT (SELECT json_agg(json_build_array(id, payload) ORDER BY id) FROM recorded) AS recorded,
               (SELECT json_agg(json_build_array(account_id, id)) FROM previous) AS previous`);
      return {
        events: written!.recorded.map(([id, payload], index) => ({ id, accountId: events[index]!.accountId, type: events[index]!.type, payload, occurredAt: events[index]!.occurredAt })),
        precededBy: new Map(written!.previous),
      };
    },

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

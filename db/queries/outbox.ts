import { count, eq } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { outbox } from '../tables/index.js';
import type { OutboxEvent } from '../types.js';

export type NewOutboxEvent = Omit<OutboxEvent, 'id'>;

export function outboxQueries(db: SqliteDb) {
  return {
    async insert(event: NewOutboxEvent): Promise<OutboxEvent> {
      return db.insert(outbox).values(event).returning().get();
    },

    async count(accountId: number): Promise<number> {
      return db.select({ n: count() }).from(outbox).where(eq(outbox.accountId, accountId)).get()?.n ?? 0;
    },
  };
}

export type OutboxQueries = ReturnType<typeof outboxQueries>;

import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { notifications } from '../tables/index.js';
import type { NewNotification, Notification } from '../../types.js';

export function notificationQueries(db: SqliteDb) {
  const mine = (accountId: number, userId: number, unreadOnly: boolean) =>
    and(eq(notifications.accountId, accountId), eq(notifications.userId, userId), unreadOnly ? isNull(notifications.readAt) : undefined);

  return {
    async insert(rows: readonly NewNotification[]): Promise<Notification[]> {
      if (rows.length === 0) return [];
      return db.insert(notifications).values([...rows]).returning().all();
    },

    async byIds(accountId: number, ids: readonly number[]): Promise<Notification[]> {
      if (ids.length === 0) return [];
      return db.select().from(notifications).where(and(eq(notifications.accountId, accountId), inArray(notifications.id, [...ids]))).all();
    },

    /** A user's notifications, newest first. */
    async pageOf(accountId: number, userId: number, unreadOnly: boolean, first: number, beforeId?: number): Promise<{ notifications: Notification[]; hasNextPage: boolean }> {
      const rows = db
        .select()
        .from(notifications)
        .where(and(mine(accountId, userId, unreadOnly), beforeId === undefined ? undefined : lt(notifications.id, beforeId)))
        .orderBy(desc(notifications.id))
        .limit(first + 1)
        .all();
      return { notifications: rows.slice(0, first), hasNextPage: rows.length > first };
    },

    async countOf(accountId: number, userId: number, unreadOnly: boolean): Promise<number> {
      return db.select({ n: sql<number>`count(*)` }).from(notifications).where(mine(accountId, userId, unreadOnly)).get()!.n;
    },

    /** Marks the user's own unread ones among `ids`; returns how many changed. */
    async markRead(accountId: number, userId: number, ids: readonly number[], at: Date): Promise<number> {
      if (ids.length === 0) return 0;
      return db
        .update(notifications)
        .set({ readAt: at })
        .where(and(mine(accountId, userId, true), inArray(notifications.id, [...ids])))
        .run().changes;
    },
  };
}

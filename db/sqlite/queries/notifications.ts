import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { notifications } from '../tables/index.js';
import type { NewNotification, Notification, PageDirection } from '../../types.js';
import { beyond, pageOfRows, readOrder } from '../../pages.js';

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
    async pageOf(accountId: number, userId: number, unreadOnly: boolean, size: number, cursorId?: number, direction: PageDirection = 'forward'): Promise<{ notifications: Notification[]; hasMore: boolean }> {
      const rows = db
        .select()
        .from(notifications)
        .where(and(mine(accountId, userId, unreadOnly), beyond(notifications.id, cursorId, direction)))
        .orderBy(readOrder(direction)(notifications.id))
        .limit(size + 1)
        .all();
      const page = pageOfRows(rows, size, direction);
      return { notifications: page.rows, hasMore: page.hasMore };
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

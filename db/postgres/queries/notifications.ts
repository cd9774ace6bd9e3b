import { and, count, eq, isNull } from 'drizzle-orm';
import { pageOfRows, readOrder } from '../../pages.js';
import type { PgDb } from '../client.js';
import { notifications } from '../tables/index.js';
import type { NotificationQueries } from '../../store.js';
import { anyId, beyondId } from './ids.js';

export function notificationQueries(db: PgDb): NotificationQueries {
  const mine = (accountId: number, userId: number, unreadOnly: boolean) =>
    and(eq(notifications.accountId, accountId), eq(notifications.userId, userId), unreadOnly ? isNull(notifications.readAt) : undefined);

  return {
    async insert(rows) {
      if (rows.length === 0) return [];
      return db.insert(notifications).values([...rows]).returning();
    },

    async byIds(accountId, ids) {
      if (ids.length === 0) return [];
      return db
        .select()
        .from(notifications)
        .where(and(eq(notifications.accountId, accountId), anyId(notifications.id, ids)))
        .orderBy(notifications.id);
    },

    /** A user's notifications, newest first. */
    async pageOf(accountId, userId, unreadOnly, size, cursorId, direction = 'forward') {
      const rows = await db
        .select()
        .from(notifications)
        .where(and(mine(accountId, userId, unreadOnly), beyondId(notifications.id, cursorId, direction)))
        .orderBy(readOrder(direction)(notifications.id))
        .limit(size + 1);
      const page = pageOfRows(rows, size, direction);
      return { notifications: page.rows, hasMore: page.hasMore };
    },

    async countOf(accountId, userId, unreadOnly) {
      const [row] = await db.select({ n: count() }).from(notifications).where(mine(accountId, userId, unreadOnly));
      return row?.n ?? 0;
    },

    /** Marks the user's own unread ones among `ids`; returns how many changed (a racing mark counts once). */
    async markRead(accountId, userId, ids, at) {
      if (ids.length === 0) return 0;
      const marked = await db
        .update(notifications)
        .set({ readAt: at })
        .where(and(mine(accountId, userId, true), anyId(notifications.id, ids)))
        .returning({ id: notifications.id });
      return marked.length;
    },
  };
}

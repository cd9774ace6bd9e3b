import { and, count, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import { beyond, pageOfRows, readOrder } from '../../pages.js';
import type { SqliteDb } from '../client.js';
import { accounts } from '../tables/index.js';
import type { Account, PageDirection } from '../../types.js';

export function accountQueries(db: SqliteDb) {
  return {
    async count(): Promise<number> {
      return db.select({ n: count() }).from(accounts).get()?.n ?? 0;
    },

    async byId(id: number): Promise<Account | null> {
      return db.select().from(accounts).where(eq(accounts.id, id)).get() ?? null;
    },

    async suspendedAmong(ids: readonly number[]): Promise<number[]> {
      if (ids.length === 0) return [];
      return db.select({ id: accounts.id }).from(accounts).where(and(inArray(accounts.id, [...ids]), isNotNull(accounts.suspendedAt))).all().map((row) => row.id);
    },

    async page(size: number, cursorId?: number, direction: PageDirection = 'forward'): Promise<{ accounts: Account[]; hasMore: boolean }> {
      const rows = db.select().from(accounts).where(beyond(accounts.id, cursorId, direction)).orderBy(readOrder(direction)(accounts.id)).limit(size + 1).all();
      const page = pageOfRows(rows, size, direction);
      return { accounts: page.rows, hasMore: page.hasMore };
    },

    async setSuspended(id: number, at: Date | null): Promise<Account | null> {
      const unchanged = at ? isNull(accounts.suspendedAt) : isNotNull(accounts.suspendedAt);
      return db.update(accounts).set({ suspendedAt: at }).where(and(eq(accounts.id, id), unchanged)).returning().get() ?? null;
    },

    async update(id: number, changes: Partial<Pick<Account, 'name' | 'timeZone' | 'locale'>>): Promise<Account | null> {
      return db.update(accounts).set(changes).where(eq(accounts.id, id)).returning().get() ?? null;
    },

    async insert(account: { name: string; timeZone: string; locale?: string }, at: Date): Promise<Account> {
      return db
        .insert(accounts)
        .values({ ...account, createdAt: at })
        .returning()
        .get();
    },
  };
}

import { and, count, isNotNull, isNull } from 'drizzle-orm';
import { pageOfRows, readOrder } from '../../pages.js';
import type { PgDb } from '../client.js';
import { accounts } from '../tables/index.js';
import type { Account } from '../../types.js';
import type { AccountQueries } from '../../store.js';
import { anyId, beyondId, sameId } from './ids.js';

export function accountQueries(db: PgDb): AccountQueries {
  return {
    async count() {
      const [row] = await db.select({ n: count() }).from(accounts);
      return row?.n ?? 0;
    },

    async byId(id) {
      const [row] = await db.select().from(accounts).where(sameId(accounts.id, id));
      return row ?? null;
    },

    async suspendedAmong(ids) {
      if (ids.length === 0) return [];
      return (await db.select({ id: accounts.id }).from(accounts).where(and(anyId(accounts.id, ids), isNotNull(accounts.suspendedAt)))).map((row) => row.id);
    },

    async page(size, cursorId, direction = 'forward') {
      const rows = await db.select().from(accounts).where(beyondId(accounts.id, cursorId, direction)).orderBy(readOrder(direction)(accounts.id)).limit(size + 1);
      const page = pageOfRows(rows, size, direction);
      return { accounts: page.rows, hasMore: page.hasMore };
    },

    async setSuspended(id, at) {
      const unchanged = at ? isNull(accounts.suspendedAt) : isNotNull(accounts.suspendedAt);
      const [row] = await db.update(accounts).set({ suspendedAt: at }).where(and(sameId(accounts.id, id), unchanged)).returning();
      return row ?? null;
    },

    async update(id, changes: Partial<Pick<Account, 'name' | 'timeZone' | 'locale'>>) {
      const [row] = await db.update(accounts).set(changes).where(sameId(accounts.id, id)).returning();
      return row ?? null;
    },

    async insert(account, at) {
      const [row] = await db
        .insert(accounts)
        .values({ ...account, createdAt: at })
        .returning();
      return row!;
    },
  };
}

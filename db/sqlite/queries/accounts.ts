import { count, eq } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { accounts } from '../tables/index.js';
import type { Account } from '../../types.js';

export function accountQueries(db: SqliteDb) {
  return {
    async count(): Promise<number> {
      return db.select({ n: count() }).from(accounts).get()?.n ?? 0;
    },

    async byId(id: number): Promise<Account | null> {
      return db.select().from(accounts).where(eq(accounts.id, id)).get() ?? null;
    },

    async update(id: number, changes: Partial<Pick<Account, 'name' | 'timeZone' | 'locale'>>): Promise<Account | null> {
      return db.update(accounts).set(changes).where(eq(accounts.id, id)).returning().get() ?? null;
    },

    async insert(account: { name: string; timeZone: string }, at: Date): Promise<Account> {
      return db
        .insert(accounts)
        .values({ ...account, createdAt: at })
        .returning()
        .get();
    },
  };
}

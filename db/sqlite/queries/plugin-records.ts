import { and, eq } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { pluginRecords } from '../tables/index.js';

/** Small keyed records per plugin (maps and idempotency keys), under an account, namespaced by plugin name. */
export function pluginRecordQueries(db: SqliteDb) {
  const where = (accountId: number, plugin: string, kind: string, key: string) =>
    and(eq(pluginRecords.accountId, accountId), eq(pluginRecords.plugin, plugin), eq(pluginRecords.kind, kind), eq(pluginRecords.key, key));
  return {
    async get(accountId: number, plugin: string, kind: string, key: string): Promise<unknown> {
      return db.select({ value: pluginRecords.value }).from(pluginRecords).where(where(accountId, plugin, kind, key)).get()?.value ?? null;
    },

    async put(accountId: number, plugin: string, kind: string, key: string, value: unknown, at: Date): Promise<void> {
      db.insert(pluginRecords)
        .values({ accountId, plugin, kind, key, value, updatedAt: at })
        .onConflictDoUpdate({ target: [pluginRecords.accountId, pluginRecords.plugin, pluginRecords.kind, pluginRecords.key], set: { value, updatedAt: at } })
        .run();
    },

    async claim(accountId: number, plugin: string, kind: string, key: string, value: unknown, at: Date): Promise<boolean> {
      return db.insert(pluginRecords).values({ accountId, plugin, kind, key, value, updatedAt: at }).onConflictDoNothing().run().changes > 0;
    },

    async delete(accountId: number, plugin: string, kind: string, key: string): Promise<void> {
      db.delete(pluginRecords).where(where(accountId, plugin, kind, key)).run();
    },
  };
}

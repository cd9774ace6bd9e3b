import { and, eq } from 'drizzle-orm';
import type { SqliteDb } from '../client.js';
import { pluginRecords } from '../tables/index.js';

/** Small keyed records per plugin (maps and idempotency keys), namespaced by plugin name. */
export function pluginRecordQueries(db: SqliteDb) {
  const where = (plugin: string, kind: string, key: string) => and(eq(pluginRecords.plugin, plugin), eq(pluginRecords.kind, kind), eq(pluginRecords.key, key));
  return {
    async get(plugin: string, kind: string, key: string): Promise<unknown> {
      return db.select({ value: pluginRecords.value }).from(pluginRecords).where(where(plugin, kind, key)).get()?.value ?? null;
    },

    async put(plugin: string, kind: string, key: string, value: unknown, at: Date): Promise<void> {
      db.insert(pluginRecords)
        .values({ plugin, kind, key, value, updatedAt: at })
        .onConflictDoUpdate({ target: [pluginRecords.plugin, pluginRecords.kind, pluginRecords.key], set: { value, updatedAt: at } })
        .run();
    },

    async claim(plugin: string, kind: string, key: string, value: unknown, at: Date): Promise<boolean> {
      return db.insert(pluginRecords).values({ plugin, kind, key, value, updatedAt: at }).onConflictDoNothing().run().changes > 0;
    },

    async delete(plugin: string, kind: string, key: string): Promise<void> {
      db.delete(pluginRecords).where(where(plugin, kind, key)).run();
    },
  };
}

import { and, sql } from 'drizzle-orm';
import type { PgDb } from '../client.js';
import { pluginRecords } from '../tables/index.js';
import type { PluginRecordQueries } from '../../store.js';
import { sameId } from './ids.js';
import { sameText } from './texts.js';

/** Small keyed records per plugin (maps and idempotency keys), under an account, namespaced by plugin name. */
export function pluginRecordQueries(db: PgDb): PluginRecordQueries {
  const where = (accountId: number, plugin: string, kind: string, key: string) =>
    and(sameId(pluginRecords.accountId, accountId), sameText(pluginRecords.plugin, plugin), sameText(pluginRecords.kind, kind), sameText(pluginRecords.key, key));
  return {
    async get(accountId, plugin, kind, key) {
      // Read as text and parsed once: drizzle's json mapping parses a string value a second time ("12" would come back 12).
      const [row] = await db.select({ value: sql<string>`${pluginRecords.value}::text` }).from(pluginRecords).where(where(accountId, plugin, kind, key));
      return row ? (JSON.parse(row.value) as unknown) : null;
    },

    async put(accountId, plugin, kind, key, value, at) {
      await db
        .insert(pluginRecords)
        .values({ accountId, plugin, kind, key, value, updatedAt: at })
        .onConflictDoUpdate({ target: [pluginRecords.accountId, pluginRecords.plugin, pluginRecords.kind, pluginRecords.key], set: { value, updatedAt: at } });
    },

    /** Exactly once across concurrent writers: the insert that finds the key taken returns no row. */
    async claim(accountId, plugin, kind, key, value, at) {
      const claimed = await db
        .insert(pluginRecords)
        .values({ accountId, plugin, kind, key, value, updatedAt: at })
        .onConflictDoNothing()
        .returning({ key: pluginRecords.key });
      return claimed.length > 0;
    },

    async delete(accountId, plugin, kind, key) {
      await db.delete(pluginRecords).where(where(accountId, plugin, kind, key));
    },
  };
}

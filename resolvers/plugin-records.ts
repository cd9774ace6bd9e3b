import type { Services } from './services.js';

/**
 * A plugin's small keyed records (maps, idempotency keys), namespaced by its name and kept under an
 * account, so deleting the account removes them and one account's key never reads another's; what
 * `api.records` serves.
 */
export function pluginRecordsOf(services: Services, pluginName: string) {
  const { store, clock } = services;
  return {
    get: async <T>(accountId: number, kind: string, key: string) => (await store.pluginRecords.get(accountId, pluginName, kind, key)) as T | null,
    put: (accountId: number, kind: string, key: string, value: unknown) => store.write((tx) => tx.pluginRecords.put(accountId, pluginName, kind, key, value, clock.now())),
    /** Stores only when absent; true when this call stored it. */
    claim: (accountId: number, kind: string, key: string, value: unknown) =>
      store.write((tx) => tx.pluginRecords.claim(accountId, pluginName, kind, key, value, clock.now())),
    delete: (accountId: number, kind: string, key: string) => store.write((tx) => tx.pluginRecords.delete(accountId, pluginName, kind, key)),
  };
}

import type { Services } from './services.js';

/** A plugin's small keyed records (maps, idempotency keys), namespaced by its name; what `api.records` serves. */
export function pluginRecordsOf(services: Services, pluginName: string) {
  const { store, clock } = services;
  return {
    get: async <T>(kind: string, key: string) => (await store.pluginRecords.get(pluginName, kind, key)) as T | null,
    put: (kind: string, key: string, value: unknown) => store.write((tx) => tx.pluginRecords.put(pluginName, kind, key, value, clock.now())),
    /** Stores only when absent; true when this call stored it. */
    claim: (kind: string, key: string, value: unknown) => store.write((tx) => tx.pluginRecords.claim(pluginName, kind, key, value, clock.now())),
    delete: (kind: string, key: string) => store.write((tx) => tx.pluginRecords.delete(pluginName, kind, key)),
  };
}

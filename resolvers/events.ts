import type { Store, StoreTx } from '../db/store.js';
import type { OutboxEvent } from '../db/types.js';

/** Every domain event, by name; payloads carry ids, listeners load what they need. */
export interface DomainEventPayloads {
  'user.created': { userId: number; byUserId: number | null };
  'user.updated': { userId: number; byUserId: number; changed: string[] };
  'user.statusChanged': { userId: number; status: string };
  'membership.changed': { userId: number; byUserId: number; before: number[]; after: number[] };
  'sector.created': { sectorId: number; byUserId: number };
  'sector.updated': { sectorId: number; byUserId: number; changed: string[] };
  'channel.created': { channelId: number; byUserId: number };
  'channel.updated': { channelId: number; byUserId: number; changed: string[] };
  'integration.created': { integrationId: number; byUserId: number };
  'integration.revoked': { integrationId: number; byUserId: number };
}

export type DomainEventType = keyof DomainEventPayloads;

export type DomainEvent = {
  [K in DomainEventType]: { id: number; type: K; accountId: number; occurredAt: Date; payload: DomainEventPayloads[K] };
}[DomainEventType];

/** Records the event in the outbox inside `tx`; it reaches listeners only after commit. */
export async function recordEvent<K extends DomainEventType>(
  tx: StoreTx,
  at: Date,
  accountId: number,
  type: K,
  payload: DomainEventPayloads[K],
): Promise<void> {
  await tx.record({ accountId, type, payload, occurredAt: at });
}

export type DomainEventListener = (event: DomainEvent) => void;

/** The one stream of committed domain events that subscriptions, plugins and webhooks consume. */
export function domainEventsOf(store: Store) {
  const listeners = new Set<DomainEventListener>();
  store.onCommitted((events: OutboxEvent[]) => {
    for (const event of events) for (const listener of listeners) listener(event as DomainEvent);
  });
  return {
    on(listener: DomainEventListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type DomainEvents = ReturnType<typeof domainEventsOf>;

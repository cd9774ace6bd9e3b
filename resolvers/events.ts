import type { Store, StoreTx } from '../db/store.js';
import type { ClosedBy, OutboxEvent } from '../db/types.js';

/** Where a ticket sits: what decides who sees it and in which tab. */
export interface TicketPlacement {
  status: 'WAITING' | 'OPEN' | 'CLOSED';
  sectorId: number | null;
  assigneeId: number | null;
  channelId: number;
}

export type Actor = { kind: 'USER' | 'INTEGRATION'; id: number } | { kind: 'SYSTEM'; id: null };

/** Every domain event, by name; payloads carry ids, listeners load what they need. */
export interface DomainEventPayloads {
  'ticket.created': { ticketId: number; actor: Actor; after: TicketPlacement };
  /** closedBy: who closed it, on the events that close a ticket (absent on events recorded before it was kept). */
  'ticket.statusChanged': { ticketId: number; actor: Actor; before: TicketPlacement; after: TicketPlacement; closedBy?: ClosedBy };
  'ticket.transferred': { ticketId: number; actor: Actor; before: TicketPlacement; after: TicketPlacement };
  'ticket.tagged': { ticketId: number; actor: Actor; tags: string[]; placement: TicketPlacement };
  'message.created': { messageId: number; ticketId: number; actor: Actor; kind: string; direction: string; placement: TicketPlacement };
  'contact.created': { contactId: number; actor: Actor };
  'contact.updated': { contactId: number; actor: Actor; changed: string[] };
  'contact.erased': { contactId: number; actor: Actor; ticketIds: number[] };
  'user.created': { userId: number; byUserId: number | null };
  'user.updated': { userId: number; byUserId: number | null; changed: string[] };
  'user.statusChanged': { userId: number; status: string; pauseReasonId?: number | null };
  'membership.changed': { userId: number; byUserId: number | null; before: number[]; after: number[] };
  'sector.created': { sectorId: number; byUserId: number };
  'sector.updated': { sectorId: number; byUserId: number; changed: string[] };
  /** byUserId null: the host platform changed it. */
  'account.updated': { byUserId: number | null; changed: string[] };
  'account.created': { name: string };
  /** Every token of the account stops; open subscriptions end (schema/account-suspension.ts). */
  'account.suspended': Record<string, never>;
  'account.resumed': Record<string, never>;
  'channel.created': { channelId: number; byUserId: number };
  'channel.updated': { channelId: number; byUserId: number; changed: string[] };
  'integration.created': { integrationId: number; byUserId: number | null };
  'integration.revoked': { integrationId: number; byUserId: number };
  'integration.rotated': { integrationId: number; byUserId: number };
  'notification.created': { notificationId: number; userId: number; ticketId: number };
  'absence.changed': {
    userId: number; byUserId: number; enabled: boolean; message: string | null;
    startsAt: string | null; endsAt: string | null; suggestedUserId: number | null;
  };
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
/**
 * The events one transaction committed, in order: a live view can show their net effect once. With them,
 * for each account among them, the id of the account's last event before them (0 for none).
 */
export type CommitListener = (events: DomainEvent[], precededBy: ReadonlyMap<number, number>) => void;

/** The one stream of committed domain events that subscriptions, plugins and webhooks consume. */
export function domainEventsOf(store: Store) {
  const listeners = new Set<DomainEventListener>();
  const commitListeners = new Set<CommitListener>();
  store.onCommitted((events: OutboxEvent[], precededBy) => {
    const committed = events as DomainEvent[];
    for (const listener of commitListeners) listener(committed, precededBy);
    for (const event of committed) for (const listener of listeners) listener(event);
  });
  return {
    on(listener: DomainEventListener): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onCommit(listener: CommitListener): () => void {
      commitListeners.add(listener);
      return () => commitListeners.delete(listener);
    },
  };
}

export type DomainEvents = ReturnType<typeof domainEventsOf>;

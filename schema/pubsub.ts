import { createPubSub } from 'graphql-yoga';
import type { DomainEvent, DomainEvents } from '../resolvers/events.js';

/**
 * The committed domain events, one topic per account. An eventTarget from
 * @graphql-yoga/redis-event-target makes it span instances without touching resolvers.
 */
type Topics = { 'account-events': [accountId: number, event: DomainEvent] };

export function createDomainPubSub(events: DomainEvents, config?: Parameters<typeof createPubSub<Topics>>[0]) {
  const pubsub = createPubSub<Topics>(config);
  const stop = events.on((event) => pubsub.publish('account-events', event.accountId, event));
  return {
    /** Every committed event of one account, in commit order. */
    accountEvents: (accountId: number): AsyncIterable<DomainEvent> => pubsub.subscribe('account-events', accountId),
    stop,
  };
}

export type DomainPubSub = ReturnType<typeof createDomainPubSub>;

import { setMaxListeners } from 'node:events';
import { createPubSub, Repeater } from 'graphql-yoga';
import type { DomainEvent, DomainEvents } from '../resolvers/events.js';

/**
 * The committed domain events, one topic per account. An eventTarget from
 * @graphql-yoga/redis-event-target makes it span instances without touching resolvers.
 */
/** One message per committed transaction of an account: its events, in order. */
type Topics = { 'account-commits': [accountId: number, events: DomainEvent[]] };

export function createDomainPubSub(events: DomainEvents, config?: Parameters<typeof createPubSub<Topics>>[0]) {
  // Every open subscription is one listener of the account's topic: thousands are expected.
  const eventTarget = config?.eventTarget ?? new EventTarget();
  setMaxListeners(Infinity, eventTarget as EventTarget);
  const pubsub = createPubSub<Topics>({ ...config, eventTarget });
  const stop = events.onCommit((committed) => {
    const accountIds = new Set(committed.map((event) => event.accountId));
    for (const accountId of accountIds) pubsub.publish('account-commits', accountId, committed.filter((event) => event.accountId === accountId));
  });
  return {
    /** Every committed transaction of one account, in commit order. */
    accountCommits: (accountId: number): AsyncIterable<DomainEvent[]> => commitsOf(eventTarget as EventTarget, `account-commits:${accountId}`),
    stop,
  };
}

export type DomainPubSub = ReturnType<typeof createDomainPubSub>;

/**
 * pubsub.subscribe, except for a subscriber whose socket stopped reading: its Repeater refuses a
 * 1,025th pending commit by throwing, which inside an event listener is an uncaught exception that
 * ends the process. That subscription ends instead (the console subscribes again, as on expiry).
 */
function commitsOf(eventTarget: EventTarget, topic: string): AsyncIterable<DomainEvent[]> {
  return new Repeater<DomainEvent[]>((push, stop) => {
    const listener = (event: Event) => {
      try {
        void push((event as CustomEvent<DomainEvent[]>).detail);
      } catch {
        stop();
      }
    };
    eventTarget.addEventListener(topic, listener);
    void stop.then(() => eventTarget.removeEventListener(topic, listener));
  });
}

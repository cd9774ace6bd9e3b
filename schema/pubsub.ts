import { setMaxListeners } from 'node:events';
import { createPubSub, Repeater } from 'graphql-yoga';
import type { DomainEvent, DomainEvents } from '../resolvers/events.js';
import { LiveFanOut } from '../resolvers/live/fan-out.js';
import { PresenceBoard, type PresenceSignal } from '../resolvers/live/presence-board.js';
import type { PresenceChannel } from '../resolvers/live/presence.js';

/**
 * The committed domain events, one topic per account. An eventTarget from
 * @graphql-yoga/redis-event-target makes it span instances without touching resolvers.
 */
/**
 * One message per committed transaction of an account: its events, in order; and one per presence
 * lease taken (no database row: the message carries its expiry, so every instance rebuilds the leases).
 */
type Topics = { 'account-commits': [accountId: number, events: DomainEvent[]]; 'ticket-presence': [signal: PresenceSignal] };

export const defaultPresenceLeaseMs = 10_000;

export function createDomainPubSub(events: DomainEvents, config?: Parameters<typeof createPubSub<Topics>>[0], presenceLeaseMs = defaultPresenceLeaseMs) {
  // Live subscriptions share one listener per account (resolvers/live/fan-out.ts); tests and plugins may add more.
  const eventTarget = config?.eventTarget ?? new EventTarget();
  setMaxListeners(Infinity, eventTarget as EventTarget);
  const pubsub = createPubSub<Topics>({ ...config, eventTarget });
  const board = new PresenceBoard(presenceLeaseMs);
  const onPresence = (event: Event) => board.apply((event as CustomEvent<PresenceSignal>).detail);
  (eventTarget as EventTarget).addEventListener('ticket-presence', onPresence);
  const stopCommits = events.onCommit((committed) => {
    const accountIds = new Set(committed.map((event) => event.accountId));
    for (const accountId of accountIds) pubsub.publish('account-commits', accountId, committed.filter((event) => event.accountId === accountId));
  });
  const accountCommits = (accountId: number): AsyncIterable<DomainEvent[]> => commitsOf(eventTarget as EventTarget, `account-commits:${accountId}`);
  return {
    /** Every committed transaction of one account, in commit order. */
    accountCommits,
    /** What live subscriptions listen to: each commit handed only to those it may concern (one listener per account). */
    live: new LiveFanOut(accountCommits),
    /** Presence leases: published here, applied by every instance's board when the message comes back. */
    presence: { board, publish: (signal: PresenceSignal) => pubsub.publish('ticket-presence', signal) } satisfies PresenceChannel,
    stop() {
      stopCommits();
      (eventTarget as EventTarget).removeEventListener('ticket-presence', onPresence);
      board.stop();
    },
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

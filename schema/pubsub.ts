import { setMaxListeners } from 'node:events';
import { createPubSub } from 'graphql-yoga';
import type { DomainEvent, DomainEvents } from '../resolvers/events.js';
import { LiveFanOut } from '../resolvers/live/fan-out.js';
import { PresenceBoard, type PresenceSignal } from '../resolvers/live/presence-board.js';
import type { PresenceChannel } from '../resolvers/live/presence.js';
import type { CommitRecord } from '../resolvers/live/resume.js';
import { CommitOrder, type AccountCommit } from './commit-order.js';

/**
 * The committed domain events, one topic per account. An eventTarget from
 * @graphql-yoga/redis-event-target makes it span instances without touching resolvers.
 */
/**
 * One message per committed transaction of an account: its events, in order, and the account's event before
 * them; and one per presence lease taken (no database row: the message carries its expiry, so every instance
 * rebuilds the leases).
 */
type Topics = { 'account-commits': [accountId: number, commit: AccountCommit]; 'ticket-presence': [signal: PresenceSignal] };

export const defaultPresenceLeaseMs = 10_000;

export interface DomainPubSubOptions {
  /** Where messages travel: in this process by default, across instances with crossInstanceTarget(redis). */
  eventTarget?: EventTarget;
  presenceLeaseMs?: number;
  /** True while other instances' messages may be lost (Redis away): the outbox is read meanwhile. */
  away?: () => boolean;
  reportError?: (error: unknown) => void;
}

// A commit waits this long for its predecessor's message before the outbox is read; while Redis is away, and
// for a while after (this instance resubscribing), each listened account is read at the poll's pace.
const holdMs = 250;
const pollMs = 1000;
const graceMs = 5000;

export function createDomainPubSub(events: DomainEvents, record: CommitRecord, options: DomainPubSubOptions = {}) {
  // Live subscriptions share one listener per account (resolvers/live/fan-out.ts); tests and plugins may add more.
  const eventTarget = options.eventTarget ?? new EventTarget();
  setMaxListeners(Infinity, eventTarget);
  const pubsub = createPubSub<Topics>({ eventTarget });
  const board = new PresenceBoard(options.presenceLeaseMs ?? defaultPresenceLeaseMs);
  const onPresence = (event: Event) => board.apply((event as CustomEvent<PresenceSignal>).detail);
  eventTarget.addEventListener('ticket-presence', onPresence);
  const stopCommits = events.onCommit((committed, precededBy) => {
    const accountIds = new Set(committed.map((event) => event.accountId));
    for (const accountId of accountIds) {
      pubsub.publish('account-commits', accountId, { precededBy: precededBy.get(accountId) ?? 0, events: committed.filter((event) => event.accountId === accountId) });
    }
  });
  const order = new CommitOrder(eventTarget, record, {
    holdMs,
    pollMs,
    graceMs,
    away: options.away ?? (() => false),
    reportError: options.reportError ?? (() => undefined),
  });
  const accountCommits = (accountId: number): AsyncIterable<DomainEvent[]> => order.of(accountId);
  return {
    /** Every committed transaction of one account, in commit order, each once. */
    accountCommits,
    /** Commits this instance read from the outbox because no message brought them in time (/metrics). */
    recoveredCommits: () => order.recovered,
    /** What live subscriptions listen to: each commit handed only to those it may concern (one listener per account). */
    live: new LiveFanOut(accountCommits),
    /** Presence leases: published here, applied by every instance's board when the message comes back. */
    presence: { board, publish: (signal: PresenceSignal) => pubsub.publish('ticket-presence', signal) } satisfies PresenceChannel,
    stop() {
      stopCommits();
      order.stop();
      eventTarget.removeEventListener('ticket-presence', onPresence);
      board.stop();
    },
  };
}

export type DomainPubSub = ReturnType<typeof createDomainPubSub>;

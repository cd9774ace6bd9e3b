import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';
import type { PublicEvent, PublicEventType } from './event-contract.js';
import { publicTypeOf, type PublicEvents } from './public-events.js';
import { createRelayLease, instanceName } from './relay-lease.js';

const undeliverable = Symbol.for('deskgraph.UndeliverableEvent');

/**
 * Thrown by a handler when retrying cannot help (e.g. the receiver answered 404): set aside at once.
 * Recognised by a brand, not by class identity: a plugin file loaded beside the built server has its own
 * copy of this module.
 */
export class UndeliverableEvent extends Error {
  readonly [undeliverable] = true;

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && undeliverable in value;
  }
}

/** What the events of one batch read once between them, each key read after the batch was (never older than its events). */
export interface BatchReads {
  once<T>(key: string, read: () => Promise<T>): Promise<T>;
}

/** One reader of the outbox with its own cursor (webhooks, each plugin's event handlers). */
export interface OutboxConsumer {
  name: string;
  /** Decided before the event is read in full, so unwanted events cost nothing. */
  wants(type: PublicEventType, accountId: number, reads: BatchReads): boolean | Promise<boolean>;
  /** Throwing means "not handled": retried with backoff, then recorded in outbox_failures and skipped. */
  handle(event: PublicEvent, reads: BatchReads): Promise<void>;
  /** Whether an event of this type is passed over (logged and counted) when its account is suspended as it is read. */
  skipsWhileSuspended?(type: PublicEventType): boolean;
}

export interface RelayOptions {
  /** Attempts per event before it is set aside for that consumer. */
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Catch-up read when nothing was committed here (another process, or a retry now due). */
  pollMs: number;
  batchSize: number;
  /** Events every consumer has handled are deleted after this long (webhook deliveries keep their own copy). */
  retentionMs: number;
  pruneEveryMs: number;
  /** RELAY_LEASE_SECONDS: consumers and the webhook sender run only on the instance holding this lease. */
  leaseMs: number;
  /** This instance's name as a lease holder (default: host, pid and a random part). */
  instance?: string;
}

export const defaultRelayOptions: RelayOptions = {
  maxAttempts: 5, retryBaseMs: 200, retryMaxMs: 30_000, pollMs: 1000, batchSize: 100, retentionMs: 7 * 24 * 3600_000, pruneEveryMs: 60_000, leaseMs: 6_000,
};

export interface ConsumerStats {
  handled: number;
  failedAttempts: number;
  setAside: number;
  /** Events passed over because their account was suspended when the relay reached them. */
  skippedSuspended: number;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1000);

/**
 * Delivers committed events to each consumer in outbox order, at least once: a cursor is advanced
 * only after its events were handled, so a crash between commit and dispatch replays them at start.
 * Of several instances on one database only the lease holder delivers; the next holder goes on from
 * the persisted cursors.
 */
export function createOutboxRelay(store: Store, publicEvents: PublicEvents, log: Logger, clock: { now(): Date }, options: RelayOptions = defaultRelayOptions) {
  const consumers: OutboxConsumer[] = [];
  // persisted: the cursor as last saved or read in this term (null: read it); only the holder moves it.
  const state = new Map<string, { running: Promise<void> | null; again: boolean; skippedTo: number; persisted: number | null; stats: ConsumerStats }>();
  let stopped = false;
  // Counts the lease's terms: a save finishing after a new term began must not set that term's cursor.
  let terms = 0;
  let timer: NodeJS.Timeout | null = null;
  let stopListening = () => {};
  const stopping = new AbortController();
  // A retry wait ends early on shutdown, so stopping never waits out a backoff; node's timer removes
  // its abort listener when it fires (a listener added per retry and never removed piled up).
  const lease = createRelayLease(store, log, { name: 'outbox-relay', instance: options.instance ?? instanceName(), durationMs: options.leaseMs });
  // A retry wait also ends when the lease is lost: the next holder retries instead.
  const sleep = (ms: number) => delay(ms, undefined, { signal: AbortSignal.any([stopping.signal, lease.signal()]) }).catch(() => {});
  /** Whether this instance may handle one more event: not stopping, and the lease still held short of its fence. */
  const mayHandle = () => !stopped && lease.holds();

  async function handleWithRetries(consumer: OutboxConsumer, event: PublicEvent, stats: ConsumerStats, reads: BatchReads): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await consumer.handle(event, reads);
        stats.handled++;
        return;
      } catch (error) {
        stats.failedAttempts++;
        log.warn({ err: error, consumer: consumer.name, eventId: event.id, type: event.type, attempt }, 'event handler failed');
        if (attempt >= options.maxAttempts || !mayHandle() || error instanceof UndeliverableEvent) {
          // Stopping or fenced: not handled, so the cursor stays before it and the next run retries it.
          if (!mayHandle()) throw error;
          stats.setAside++;
          await store.write((tx) => tx.outbox.recordFailure({ consumer: consumer.name, eventId: Number(event.id), attempts: attempt, lastError: messageOf(error), failedAt: new Date() }));
          log.error({ consumer: consumer.name, eventId: event.id, type: event.type }, 'event set aside after every retry failed');
          return;
        }
        const delay = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (attempt - 1));
        await sleep(delay * (0.5 + Math.random() / 2));
        if (!mayHandle()) throw error;
      }
    }
  }

  async function drain(consumer: OutboxConsumer): Promise<void> {
    const entry = state.get(consumer.name)!;
    const term = terms;
    let persisted = entry.persisted ?? (await store.outbox.cursorOf(consumer.name)) ?? 0;
    if (term === terms) entry.persisted = persisted;
    let cursor = Math.max(persisted, entry.skippedTo);
    let unsaved = false;
    const persist = async () => {
      entry.persisted = null;
      await store.write((tx) => tx.outbox.advanceConsumer(consumer.name, cursor, new Date()));
      persisted = cursor;
      if (term === terms) entry.persisted = cursor;
      unsaved = false;
    };
    try {
      while (mayHandle()) {
        const batch = await store.outbox.after(cursor, options.batchSize);
        if (batch.length === 0) break;
        // Read at most once per batch, for the batch's accounts, and only when an event could be skipped.
        let suspended: Set<number> | null = null;
        const reads = batchReads();
        const isSuspended = async (accountId: number) =>
          (suspended ??= new Set(await store.accounts.suspendedAmong([...new Set(batch.map((recorded) => recorded.accountId))]))).has(accountId);
        for (const recorded of batch) {
          if (!mayHandle()) break;
          const type = publicTypeOf(recorded);
          const wanted = type !== null && (await consumer.wants(type, recorded.accountId, reads));
          const skipped = wanted && !!consumer.skipsWhileSuspended?.(type) && (await isSuspended(recorded.accountId));
          if (skipped) {
            entry.stats.skippedSuspended++;
            log.info({ consumer: consumer.name, eventId: recorded.id, type, accountId: recorded.accountId }, 'event of a suspended account skipped');
          }
          const event = wanted && !skipped ? await publicEvents.of(recorded) : null;
          if (event) {
            await handleWithRetries(consumer, event, entry.stats, reads);
            unsaved = true;
          }
          cursor = recorded.id;
        }
        // Handled events are persisted once per batch (a crash replays at most this batch); events
        // nobody wanted only move the cursor in memory, and replaying those after a crash costs nothing.
        if (unsaved || cursor - persisted >= 1000) await persist();
        // A short batch was the end: a commit after it nudges this consumer again (another instance's, the poll).
        if (batch.length < options.batchSize) break;
      }
    } finally {
      // Stopped or fenced mid-batch: what was handled is saved (cursors only move forward), so the
      // next holder does not repeat it.
      if (unsaved) await persist().catch((error: unknown) => log.warn({ err: error, consumer: consumer.name }, 'could not save the cursor; the next run repeats some events'));
    }
    if (term === terms) entry.skippedTo = cursor;
  }

  function schedule(consumer: OutboxConsumer): void {
    const entry = state.get(consumer.name)!;
    if (!mayHandle()) return;
    if (entry.running) {
      entry.again = true;
      return;
    }
    entry.running = drain(consumer)
      .catch((error: unknown) =>
        mayHandle()
          ? log.error({ err: error, consumer: consumer.name }, 'outbox relay failed; retrying on the next poll')
          : log.info({ consumer: consumer.name }, 'outbox relay left an event unhandled on stop or loss of the relay lease; the next run handles it'),
      )
      .finally(() => {
        entry.running = null;
        if (entry.again) {
          entry.again = false;
          schedule(consumer);
        }
      });
  }

  function nudge(): void {
    for (const consumer of consumers) schedule(consumer);
  }

  let lastPrune = Date.now();
  /** At most every pruneEveryMs; a consumer's cursor is the bound, so nothing unhandled is ever deleted. */
  async function prune(): Promise<void> {
    if (!mayHandle() || consumers.length === 0 || Date.now() - lastPrune < options.pruneEveryMs) return;
    lastPrune = Date.now();
    // skippedTo: where the last finished drain got to, everything before it handled or unwanted.
    const cursors = await Promise.all(consumers.map(async (consumer) => Math.max((await store.outbox.cursorOf(consumer.name)) ?? 0, state.get(consumer.name)!.skippedTo)));
    const passed = Math.min(...cursors);
    if (passed <= 0) return;
    const deleted = await store.write((tx) => tx.outbox.prune(passed, new Date(clock.now().getTime() - options.retentionMs)));
    if (deleted > 0) log.info({ deleted, upToId: passed }, 'pruned delivered outbox events');
  }

  // A new term trusts only the persisted cursors: what this instance skipped in an earlier term,
  // another holder may have read since.
  lease.onGained(() => {
    terms++;
    for (const entry of state.values()) {
      entry.skippedTo = 0;
      entry.persisted = null;
    }
    nudge();
  });

  return {
    /** Who delivers: other one-instance work (the webhook sender) runs under the same lease. */
    lease,

    add(consumer: OutboxConsumer): void {
      if (state.has(consumer.name)) throw new Error(`Two outbox consumers are named "${consumer.name}"`);
      consumers.push(consumer);
      state.set(consumer.name, { running: null, again: false, skippedTo: 0, persisted: null, stats: { handled: 0, failedAttempts: 0, setAside: 0, skippedSuspended: 0 } });
    },

    /** Registers new consumers at the current end (no replay of older history), then catches up. */
    async start(): Promise<void> {
      const end = await store.outbox.lastEventId();
      const now = new Date();
      await store.write(async (tx) => {
        for (const consumer of consumers) await tx.outbox.registerConsumer(consumer.name, end, now);
      });
      stopListening = store.onCommitted(() => setImmediate(nudge));
      timer = setInterval(() => {
        nudge();
        prune().catch((error: unknown) => log.error({ err: error }, 'outbox pruning failed'));
      }, options.pollMs);
      timer.unref();
      await lease.start();
    },

    stats(name: string): ConsumerStats | undefined {
      return state.get(name)?.stats;
    },

    /** Resolves once every consumer has read everything committed so far (tests, graceful stop). */
    async settled(): Promise<void> {
      for (;;) {
        const running = [...state.values()].map((entry) => entry.running).filter((p): p is Promise<void> => p !== null);
        if (running.length === 0) return;
        await Promise.all(running);
      }
    },

    async stop(): Promise<void> {
      stopped = true;
      stopListening();
      stopping.abort();
      if (timer) clearInterval(timer);
      await Promise.allSettled([...state.values()].map((entry) => entry.running));
      await lease.stop();
    },
  };
}

export type OutboxRelay = ReturnType<typeof createOutboxRelay>;

/** A failed read is forgotten, so a retry of the event reads again. */
function batchReads(): BatchReads {
  const read = new Map<string, Promise<unknown>>();
  return {
    once<T>(key: string, load: () => Promise<T>): Promise<T> {
      let known = read.get(key) as Promise<T> | undefined;
      if (!known) {
        known = load();
        read.set(key, known);
        known.catch(() => read.delete(key));
      }
      return known;
    },
  };
}

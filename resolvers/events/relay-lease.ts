import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';

/** This process among several instances: host, pid, and a random part (a restart, or two apps in one test process). */
export function instanceName(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface RelayLeaseOptions {
  /** The lease's row: one per job that must run on one instance at a time. */
  name: string;
  instance: string;
  /** How long one take or renewal holds in the database. */
  durationMs: number;
}

export interface RelayLeaseState {
  instance: string;
  held: boolean;
  /** When this instance took the lease (the database's clock), while it holds it. */
  since: Date | null;
}

/**
 * Keeps this instance's claim on one lease: tries to take it every third of its duration and, once
 * held, renews it as often. It fences itself on its own monotonic clock: `holds()` turns false (and
 * `signal()` aborts) three quarters of the duration after the last successful renewal was sent,
 * which is before the database could let another instance take it, so work started under the lease
 * stops in time. One failed renewal is ridden out; two in a row end the term.
 */
export function createRelayLease(store: Store, log: Logger, options: RelayLeaseOptions) {
  const { name, instance, durationMs } = options;
  const renewEveryMs = durationMs / 3;
  const fenceAfterMs = (durationMs * 3) / 4;
  const gainedListeners: Array<() => void> = [];
  const beforeRelease: Array<() => Promise<void>> = [];
  let term: AbortController | null = null;
  let since: Date | null = null;
  let fenceAt = 0;
  let fence: NodeJS.Timeout | null = null;
  let timer: NodeJS.Timeout | null = null;
  let attempt: Promise<void> | null = null;
  let started = false;
  let closing = false;
  const notHeld = AbortSignal.abort(new Error('this instance does not hold the relay lease'));

  function holds(): boolean {
    if (term === null) return false;
    if (performance.now() < fenceAt) return true;
    // Past the fence before its timer ran (a busy event loop): the term ends here, so no caller sees
    // holds() false while the term's signal has not aborted yet.
    end('not renewed in time');
    return false;
  }

  function end(reason: string): void {
    if (fence) clearTimeout(fence);
    if (!term) return;
    term.abort(new Error(`relay lease lost: ${reason}`));
    term = null;
    since = null;
    log.warn({ lease: name, instance, reason }, 'lost the relay lease: this instance stops delivering until it takes it again');
  }

  function armFence(): void {
    if (fence) clearTimeout(fence);
    const left = fenceAt - performance.now();
    if (left <= 0) return end('not renewed in time');
    fence = setTimeout(armFence, left + 1);
    fence.unref();
  }

  async function takeOrRenew(): Promise<void> {
    if (closing && !term) return;
    const sentAt = performance.now();
    let lease;
    try {
      lease = await store.write((tx) => tx.leases.take(name, instance, durationMs));
    } catch (error) {
      // The fence ends the term if the next renewal fails too.
      log.warn({ err: error, lease: name, instance }, term ? 'could not renew the relay lease' : 'could not take the relay lease');
      return;
    }
    if (lease.holder !== instance) {
      if (term) end(`taken by ${lease.holder}`);
      return;
    }
    fenceAt = sentAt + fenceAfterMs;
    armFence();
    if (term || !holdsNewTerm()) return;
    since = lease.takenAt;
    log.info({ lease: name, instance, expiresAt: lease.expiresAt }, 'took the relay lease: this instance delivers outbox events and webhooks');
    for (const listener of gainedListeners) listener();
  }

  /** Opens a term unless the answer came back too late to act on. */
  function holdsNewTerm(): boolean {
    if (performance.now() >= fenceAt) return false;
    term = new AbortController();
    return true;
  }

  function loop(): void {
    const startedAt = performance.now();
    attempt = takeOrRenew().finally(() => {
      attempt = null;
      if (closing) return;
      timer = setTimeout(loop, Math.max(0, renewEveryMs - (performance.now() - startedAt)));
      timer.unref();
    });
  }

  return {
    instance,
    holds,
    /** Aborts when this term of holding ends; already aborted while the lease is not held. */
    signal(): AbortSignal {
      return holds() ? term!.signal : notHeld;
    },
    /** Called each time this instance takes the lease (not on renewals). */
    onGained(listener: () => void): void {
      gainedListeners.push(listener);
    },
    /** Work under the lease (the webhook sender) that must end before it is given up on stop. */
    beforeRelease(stop: () => Promise<void>): void {
      beforeRelease.push(stop);
    },
    state(): RelayLeaseState {
      return { instance, held: holds(), since: holds() ? since : null };
    },
    /** Takes the lease now if it is free (so a single instance delivers from the start), then keeps trying. */
    async start(): Promise<void> {
      started = true;
      loop();
      await attempt;
    },
    /** Ends the work under the lease while still renewing it, then gives it up so another instance takes over at once. */
    async stop(): Promise<void> {
      for (const stop of beforeRelease) await stop();
      closing = true;
      if (timer) clearTimeout(timer);
      await attempt;
      if (fence) clearTimeout(fence);
      const held = term !== null;
      term?.abort(new Error('relay lease released'));
      term = null;
      if (!started) return;
      try {
        if ((await store.write((tx) => tx.leases.release(name, instance))) || held) log.info({ lease: name, instance }, 'released the relay lease');
      } catch (error) {
        log.warn({ err: error, lease: name, instance }, 'could not release the relay lease; another instance takes it once it expires');
      }
    },
  };
}

export type RelayLease = ReturnType<typeof createRelayLease>;

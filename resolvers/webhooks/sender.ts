import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import ipaddr from 'ipaddr.js';
import type { Logger } from 'pino';
import type { Store } from '../../db/store.js';
import type { Webhook, WebhookDelivery } from '../../db/types.js';
import { ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signatureOf } from './signature.js';
import { guardedLookup, isPublicAddress } from './url-guard.js';

export interface SenderOptions {
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  pollMs: number;
  allowPrivateUrls: boolean;
}

type Attempt = { status: number | null; error: string | null };
const BATCH = 50;

/** What the sender runs under: only the instance holding the relay lease sends (resolvers/events/relay-lease.ts). */
export interface SenderLease {
  holds(): boolean;
  /** Aborts when this instance's term of holding ends. */
  signal(): AbortSignal;
}

/** One POST, no redirects followed (a redirect could lead anywhere), the response body discarded. */
function post(webhook: Webhook, delivery: WebhookDelivery, options: SenderOptions, signal: AbortSignal): Promise<Attempt> {
  const url = new URL(webhook.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!options.allowPrivateUrls && ipaddr.isValid(host) && !isPublicAddress(host)) return Promise.resolve({ status: null, error: 'private address refused' });
  const timestamp = Math.floor(Date.now() / 1000);
  // The same id on every attempt and on a redelivery: receivers deduplicate on it.
  const id = `msg_${delivery.id}`;
  const headers = {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(delivery.body)),
    'user-agent': 'Deskgraph-Webhooks/1',
    'x-deskgraph-event': delivery.eventType,
    'x-deskgraph-delivery': String(delivery.id),
    [ID_HEADER]: id,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signatureOf(webhook.secret, id, timestamp, delivery.body),
  };
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = request(url, { method: 'POST', headers, lookup: guardedLookup(options.allowPrivateUrls), timeout: options.timeoutMs, signal }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? null, error: null }));
      res.on('error', (error) => resolve({ status: res.statusCode ?? null, error: error.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (error) => resolve({ status: null, error: error.message }));
    req.end(delivery.body);
  });
}

/**
 * Sends due deliveries; failures come back later with exponential backoff and jitter, then DEAD.
 * Runs only while `lease` is held, so two instances never send the same delivery at once.
 */
export function createWebhookSender(store: Store, log: Logger, options: SenderOptions, lease: SenderLease) {
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let scheduling: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  function backoffMs(attempts: number): number {
    const exponential = Math.min(options.retryMaxMs, options.retryBaseMs * 2 ** (attempts - 1));
    return Math.round(exponential * (0.5 + Math.random() / 2));
  }

  async function send(delivery: WebhookDelivery, webhook: Webhook | undefined, signal: AbortSignal): Promise<void> {
    const now = new Date();
    if (!webhook || !webhook.active || webhook.deletedAt) {
      await store.write((tx) => tx.webhooks.recordOutcome(delivery.id, delivery.attempts, { ...settled(delivery, now), status: 'DEAD', lastError: 'webhook inactive or deleted' }));
      return;
    }
    const result = await post(webhook, delivery, options, signal);
    // Cut off by the lease's fence: left as it was, so the next holder sends it now (with the same id).
    if (result.status === null && signal.aborted) return;
    const attempts = delivery.attempts + 1;
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const error = ok ? null : (result.error ?? `HTTP ${result.status}`);
    const at = new Date();
    const outcome = ok
      ? { status: 'DELIVERED' as const, attempts, nextAttemptAt: null, lastAttemptAt: at, responseStatus: result.status, lastError: null, deliveredAt: at }
      : attempts >= options.maxAttempts
        ? { status: 'DEAD' as const, attempts, nextAttemptAt: null, lastAttemptAt: at, responseStatus: result.status, lastError: error, deliveredAt: null }
        : { status: 'RETRYING' as const, attempts, nextAttemptAt: new Date(at.getTime() + backoffMs(attempts)), lastAttemptAt: at, responseStatus: result.status, lastError: error, deliveredAt: null };
    if (!ok) log.warn({ webhookId: webhook.id, deliveryId: delivery.id, attempts, error, status: outcome.status }, 'webhook delivery failed');
    await store.write((tx) => tx.webhooks.recordOutcome(delivery.id, delivery.attempts, outcome));
  }

  async function drain(): Promise<void> {
    while (!stopped && lease.holds()) {
      const signal = lease.signal();
      const due = await store.webhooks.due(new Date(), BATCH);
      if (due.length === 0 || signal.aborted) break;
      const webhooks = new Map((await store.webhooks.byIds([...new Set(due.map((d) => d.webhookId))])).map((w) => [w.id, w]));
      // One per ticket and webhook is due at a time (see `due`), so these may go in parallel.
      await Promise.all(due.map((delivery) => send(delivery, webhooks.get(delivery.webhookId), signal)));
    }
    if (!stopped && lease.holds()) await scheduleNext();
  }

  /** Polls again when the next delivery falls due (at the latest after pollMs); never fails, the database may be away. */
  async function scheduleNext(): Promise<void> {
    let next: Date | null = null;
    try {
      next = await store.webhooks.nextDueAt();
    } catch (error) {
      if (!stopped) log.error({ err: error }, 'webhook sender could not read when the next delivery is due; polling again');
    }
    if (stopped || !lease.holds()) return;
    const wait = next ? Math.max(0, Math.min(options.pollMs, next.getTime() - Date.now())) : options.pollMs;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      nudge();
    }, wait);
    timer.unref();
  }

  /** Sends what is due now; without the lease it waits to be nudged when the lease is taken. */
  function nudge(): void {
    if (stopped || !lease.holds()) return;
    if (running) {
      again = true;
      return;
    }
    running = drain()
      .catch((error: unknown) => log.error({ err: error }, 'webhook sender failed; retrying on the next poll'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          nudge();
        } else if (!stopped && !timer && lease.holds()) scheduling = scheduleNext();
      });
  }

  return {
    nudge,
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await scheduling;
    },
  };
}

function settled(delivery: WebhookDelivery, at: Date) {
  return { attempts: delivery.attempts, nextAttemptAt: null, lastAttemptAt: at, responseStatus: null, deliveredAt: null };
}

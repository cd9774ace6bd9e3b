import { readFileSync } from 'node:fs';
import type { WebhookDeliveryStatus } from '../db/types.js';
import type { Services } from './services.js';

// What operators see of a running instance: version, readiness and the figures behind /metrics.

/** The package version, read once: /healthz, /readyz and `serverInfo` report the same one. */
export const serverVersion: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Readiness {
  ready: boolean;
  database: 'ok' | 'unreachable';
  pendingMigrations: number | null;
}

/** Ready = the database answers and has every committed migration. */
export async function readinessOf(services: Services): Promise<Readiness> {
  try {
    const pendingMigrations = await services.store.pendingMigrations();
    return { ready: pendingMigrations === 0, database: 'ok', pendingMigrations };
  } catch {
    return { ready: false, database: 'unreachable', pendingMigrations: null };
  }
}

export interface OperationalFigures {
  /** Per outbox consumer (webhooks, each plugin), the recorded events it has not handled yet. */
  outboxLag: { consumer: string; events: number }[];
  /** Events a consumer gave up on after every retry. */
  deadLetters: { consumer: string; count: number }[];
  webhookDeliveries: { status: WebhookDeliveryStatus; count: number }[];
}

export async function operationalFigures(services: Services): Promise<OperationalFigures> {
  const [outboxLag, deadLetters, webhookDeliveries] = await Promise.all([
    services.store.outbox.consumerLags(),
    services.store.outbox.failureCounts(),
    services.store.webhooks.deliveryCounts(),
  ]);
  return { outboxLag, deadLetters, webhookDeliveries };
}

import { z } from 'zod';
import { configFlag } from '../config-rules.js';
import type { BatchReads, OutboxRelay } from '../events/outbox-relay.js';
import type { PublicEvent } from '../events/event-contract.js';
import type { Services } from '../services.js';
import { createWebhookSender } from './sender.js';

/** WEBHOOKS_* settings (or `pluginConfig.webhooks` when embedding): delivery timing and the private-address rule. */
export const webhookSettings = z.object({
  allowPrivateUrls: configFlag.default(false),
  timeoutMs: z.coerce.number().int().min(100).max(60_000).default(10_000),
  maxAttempts: z.coerce.number().int().min(1).max(30).default(8),
  retryBaseMs: z.coerce.number().int().min(10).default(30_000),
  retryMaxMs: z.coerce.number().int().min(10).default(6 * 3600_000),
  pollMs: z.coerce.number().int().min(10).default(1000),
});
export type WebhookSettings = z.infer<typeof webhookSettings>;

/** Deliveries of one ticket (or contact, or agent) reach a receiver in event order. */
function orderingKeyOf(event: PublicEvent): string | null {
  const data = event.data as { ticket?: { id: string }; contact?: { id: string }; userId?: string };
  if (data.ticket) return `ticket:${data.ticket.id}`;
  if (data.contact) return `contact:${data.contact.id}`;
  return data.userId ? `user:${data.userId}` : null;
}

/** Fans each public event out to the account's subscribed webhooks, then sends them; returns the stop. */
export function startWebhooks(services: Services, relay: OutboxRelay): () => Promise<void> {
  const { store } = services;
  const sender = createWebhookSender(store, services.log.child({ component: 'webhooks' }), services.webhooks, relay.lease);
  // Deliveries are sent by the relay lease's holder only; a new holder sends what is due at once.
  relay.lease.onGained(() => sender.nudge());
  relay.lease.beforeRelease(() => sender.stop());
  // A suspended account's deliveries wait (see `due`); once it resumes they go at once, not at the next poll.
  const stopWatching = services.events.onCommit((commit) => {
    if (commit.some((event) => event.type === 'account.resumed')) sender.nudge();
  });
  // The fan-out is idempotent (one row per webhook and event), so a replay after a crash adds nothing.
  // Read once per relay batch and account, after the batch: a webhook added before an event committed gets it.
  const subscribers = async (type: string, accountId: number, reads: BatchReads) =>
    (await reads.once(`webhooks:${accountId}`, () => store.webhooks.activeOf(accountId))).filter((hook) => hook.events.includes('*') || hook.events.includes(type));
  relay.add({
    // The cursor's name from when webhooks were a plugin: existing databases keep their place.
    name: 'plugin:webhooks',
    wants: async (type, accountId, reads) => type === 'contact.erased' || (await subscribers(type, accountId, reads)).length > 0,
    async handle(event, reads) {
      // Bodies frozen after the erasure committed, from events converted before it, are blanked when
      // the relay reaches it (before its own delivery is queued: that one names the contact too).
      if (event.type === 'contact.erased') await store.write((tx) => tx.personalData.redactDeliveries(Number(event.accountId), event.data.contact.id, new Date()));
      const hooks = await subscribers(event.type, Number(event.accountId), reads);
      if (hooks.length === 0) return;
      const body = JSON.stringify(event);
      await store.write((tx) =>
        tx.webhooks.enqueue(
          hooks.map((hook) => ({ accountId: hook.accountId, webhookId: hook.id, eventId: Number(event.id), eventType: event.type, orderingKey: orderingKeyOf(event), body })),
          new Date(),
        ),
      );
      sender.nudge();
    },
  });
  sender.nudge();
  return async () => {
    stopWatching();
    await sender.stop();
  };
}

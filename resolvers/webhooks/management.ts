import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Webhook, WebhookDelivery, WebhookDeliveryStatus } from '../../db/types.js';
import { connectionOf, encodeCursor, idWindowOf, type Connection, type PageArgs } from '../connections.js';
import { BadUserInputError, NotFoundError } from '../errors.js';
import { parseInput } from '../input-rules.js';
import { assertAdmin } from '../permissions.js';
import type { Services } from '../services.js';
import type { Viewer } from '../viewer.js';
import { publicEventTypes } from '../events/event-contract.js';
import { urlProblem } from './url-guard.js';

export interface WebhookPolicy {
  allowPrivateUrls: boolean;
}

export interface WebhookInput {
  url?: string | null;
  events?: readonly string[] | null;
  description?: string | null;
  active?: boolean | null;
}

const eventList = z
  .array(z.string())
  .min(1, 'Subscribe to at least one event')
  .max(publicEventTypes.length + 1)
  .refine((events) => events.every((e) => e === '*' || (publicEventTypes as string[]).includes(e)), {
    error: `Known events: ${publicEventTypes.join(', ')} (or "*" for all)`,
  })
  .transform((events) => [...new Set(events)].sort());
const description = z.string().trim().max(200, 'Description is at most 200 characters');
// Standard Webhooks' form: whsec_ + the base64 of a random key.
const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

async function checkedUrl(raw: string, policy: WebhookPolicy): Promise<string> {
  const url = parseInput(z.string().trim().min(1, 'URL is required').max(2048, 'URL is at most 2048 characters'), raw, 'input.url');
  const problem = await urlProblem(url, policy.allowPrivateUrls);
  if (problem) throw new BadUserInputError('input.url', problem);
  return url;
}

export async function listWebhooks(services: Services, viewer: Viewer | null): Promise<Webhook[]> {
  assertAdmin(viewer);
  return services.store.webhooks.list(viewer.accountId);
}

/** The secret signs every delivery; it is shown here once (and on rotation). */
export async function createWebhook(services: Services, viewer: Viewer | null, input: WebhookInput, policy: WebhookPolicy) {
  assertAdmin(viewer);
  const url = await checkedUrl(input.url ?? '', policy);
  const events = parseInput(eventList, input.events ?? [], 'input.events');
  const text = input.description ? parseInput(description, input.description, 'input.description') : null;
  const secret = newSecret();
  const at = services.clock.now();
  const webhook = await services.store.write((tx) =>
    tx.webhooks.insert({ accountId: viewer.accountId, url, events, secret, active: input.active ?? true, description: text || null, createdById: viewer.userId }, at),
  );
  return { webhook, secret };
}

export async function updateWebhook(services: Services, viewer: Viewer | null, id: number, input: WebhookInput, policy: WebhookPolicy): Promise<Webhook> {
  assertAdmin(viewer);
  const changes: Partial<Webhook> = {};
  if (input.url != null) changes.url = await checkedUrl(input.url, policy);
  if (input.events != null) changes.events = parseInput(eventList, input.events, 'input.events');
  if (input.description !== undefined) changes.description = input.description ? parseInput(description, input.description, 'input.description') || null : null;
  if (input.active != null) changes.active = input.active;
  const updated = await services.store.write((tx) => tx.webhooks.update(viewer.accountId, id, changes, services.clock.now()));
  if (!updated) throw new NotFoundError('Webhook');
  return updated;
}

export async function rotateWebhookSecret(services: Services, viewer: Viewer | null, id: number) {
  assertAdmin(viewer);
  const secret = newSecret();
  const webhook = await services.store.write((tx) => tx.webhooks.update(viewer.accountId, id, { secret }, services.clock.now()));
  if (!webhook) throw new NotFoundError('Webhook');
  return { webhook, secret };
}

export async function deleteWebhook(services: Services, viewer: Viewer | null, id: number): Promise<Webhook> {
  assertAdmin(viewer);
  const deleted = await services.store.write((tx) => tx.webhooks.delete(viewer.accountId, id, services.clock.now()));
  if (!deleted) throw new NotFoundError('Webhook');
  return deleted;
}

export async function webhookDeliveries(
  services: Services,
  viewer: Viewer | null,
  args: PageArgs & { webhookId?: number | null; status?: WebhookDeliveryStatus | null },
): Promise<Connection<WebhookDelivery>> {
  assertAdmin(viewer);
  const window = idWindowOf(args);
  const filter = { webhookId: args.webhookId, status: args.status };
  const page = await services.store.webhooks.deliveries(viewer.accountId, filter, window.size, window.cursor, window.direction);
  return connectionOf(page.deliveries, window, page.hasMore, (delivery) => encodeCursor(delivery.id), () => services.store.webhooks.countDeliveries(viewer.accountId, filter));
}

/** Sends it again from the first attempt (a dead letter after the receiver was fixed). */
export async function redeliverWebhookDelivery(services: Services, viewer: Viewer | null, id: number): Promise<WebhookDelivery> {
  assertAdmin(viewer);
  const delivery = await services.store.write(async (tx) => {
    const existing = await tx.webhooks.deliveryById(viewer.accountId, id);
    if (!existing) return null;
    const [webhook] = await tx.webhooks.byIds([existing.webhookId]);
    if (!webhook || webhook.deletedAt) throw new BadUserInputError('id', 'Its webhook was deleted');
    return tx.webhooks.requeue(viewer.accountId, id, new Date());
  });
  if (!delivery) throw new NotFoundError('WebhookDelivery');
  return delivery;
}

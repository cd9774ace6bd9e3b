import type { Webhook as WebhookRow, WebhookDelivery as DeliveryRow } from '../../db/types.js';
import { pageArgsOf, pageFieldsOf } from '../connections.js';
import { localIdOf, optionalLocalIdOf } from '../ids.js';
import type { SchemaBuilder } from '../index.js';
import {
  createWebhook, deleteWebhook, listWebhooks, redeliverWebhookDelivery, rotateWebhookSecret, updateWebhook, webhookDeliveries,
} from '../../resolvers/webhooks/management.js';

/** The ADMIN's webhook settings and delivery log, in the one schema. */
export function defineWebhookSchema(builder: SchemaBuilder): void {
  const Webhook = builder.objectRef<WebhookRow>('Webhook').implement({
    description: 'An endpoint that receives the public events it subscribed to, signed with its secret',
    fields: (t) => ({
      id: t.globalID({ resolve: (webhook) => ({ type: 'Webhook', id: webhook.id }) }),
      url: t.exposeString('url'),
      events: t.exposeStringList('events', { description: 'Public event types (docs/events.md), or "*" for all' }),
      active: t.exposeBoolean('active'),
      description: t.exposeString('description', { nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    }),
  });

  const DeliveryStatus = builder.enumType('WebhookDeliveryStatus', {
    values: { PENDING: { description: 'Not tried yet' }, RETRYING: { description: 'Failed; tried again at nextAttemptAt' }, DELIVERED: {}, DEAD: { description: 'Every attempt failed; redeliver sends it again' } } as const,
  });

  const Delivery = builder.objectRef<DeliveryRow>('WebhookDelivery').implement({
    fields: (t) => ({
      id: t.globalID({ resolve: (delivery) => ({ type: 'WebhookDelivery', id: delivery.id }) }),
      webhookId: t.globalID({ resolve: (delivery) => ({ type: 'Webhook', id: delivery.webhookId }) }),
      eventId: t.string({ description: 'The event id in the body (the same on every attempt)', resolve: (delivery) => String(delivery.eventId) }),
      eventType: t.exposeString('eventType'),
      status: t.field({ type: DeliveryStatus, resolve: (delivery) => delivery.status }),
      attempts: t.exposeInt('attempts'),
      responseStatus: t.exposeInt('responseStatus', { nullable: true, description: "The receiver's last HTTP status" }),
      lastError: t.exposeString('lastError', { nullable: true }),
      nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true }),
      lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true }),
      deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true }),
      createdAt: t.expose('createdAt', { type: 'DateTime' }),
      body: t.exposeString('body', { description: 'The exact JSON that is signed and sent' }),
    }),
  });

  const DeliveryEdge = builder.objectRef<{ cursor: string; node: DeliveryRow }>('WebhookDeliveryEdge').implement({
    fields: (t) => ({
      cursor: t.exposeString('cursor', { description: 'Where this delivery sits in the log, for after/before' }),
      node: t.field({ type: Delivery, description: 'The delivery', resolve: (edge) => edge.node }),
    }),
  });

  const DeliveryConnection = builder.objectRef<Awaited<ReturnType<typeof webhookDeliveries>>>('WebhookDeliveryConnection').implement({
    fields: (t) => ({
      nodes: t.field({ type: [Delivery], description: 'The deliveries of this page, newest first', resolve: (page) => page.edges.map((edge) => edge.node) }),
      edges: t.field({ type: [DeliveryEdge], description: 'The same deliveries with their cursors', resolve: (page) => page.edges }),
      ...pageFieldsOf(t),
    }),
  });

  const SecretPayload = builder.objectRef<{ webhook: WebhookRow; secret: string }>('WebhookSecretPayload').implement({
    fields: (t) => ({
      webhook: t.field({ type: Webhook, resolve: (payload) => payload.webhook }),
      secret: t.exposeString('secret', { description: 'Shown once: verify signatures with it' }),
    }),
  });

  const WebhookInput = builder.inputType('WebhookInput', {
    fields: (t) => ({ url: t.string(), events: t.stringList(), description: t.string(), active: t.boolean() }),
  });

  const webhookId = (id: string | number) => localIdOf('Webhook', String(id), 'id');

  builder.queryFields((t) => ({
    webhooks: t.withAuth({ admin: true }).field({ type: [Webhook], resolve: (_root, _args, context) => listWebhooks(context.services, context.viewer) }),
    webhookDeliveries: t.withAuth({ admin: true }).field({
      type: DeliveryConnection,
      description: 'Newest first',
      args: { webhookId: t.arg.id(), status: t.arg({ type: DeliveryStatus }), ...pageArgsOf(t.arg) },
      resolve: (_root, args, context) =>
        webhookDeliveries(context.services, context.viewer, { ...args, webhookId: optionalLocalIdOf('Webhook', args.webhookId, 'webhookId') }),
    }),
  }));

  builder.mutationFields((t) => ({
    createWebhook: t.withAuth({ admin: true }).field({
      type: SecretPayload,
      description: 'Private and loopback addresses are refused unless the server allows them',
      args: { input: t.arg({ type: WebhookInput, required: true }) },
      resolve: (_root, { input }, context) => createWebhook(context.services, context.viewer, input, context.services.webhooks),
    }),
    updateWebhook: t.withAuth({ admin: true }).field({
      type: Webhook,
      args: { id: t.arg.id({ required: true }), input: t.arg({ type: WebhookInput, required: true }) },
      resolve: (_root, { id, input }, context) => updateWebhook(context.services, context.viewer, webhookId(id), input, context.services.webhooks),
    }),
    rotateWebhookSecret: t.withAuth({ admin: true }).field({
      type: SecretPayload,
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, context) => rotateWebhookSecret(context.services, context.viewer, webhookId(id)),
    }),
    deleteWebhook: t.withAuth({ admin: true }).field({
      type: Webhook,
      description: 'Its pending deliveries are dropped; the log keeps the sent ones',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, context) => deleteWebhook(context.services, context.viewer, webhookId(id)),
    }),
    redeliverWebhookDelivery: t.withAuth({ admin: true }).field({
      type: Delivery,
      description: 'Sends the same event again, from the first attempt',
      args: { id: t.arg.id({ required: true }) },
      resolve: (_root, { id }, context) => redeliverWebhookDelivery(context.services, context.viewer, localIdOf('WebhookDelivery', String(id), 'id')),
    }),
  }));
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeSchemaOf, isPublicEventType } from '../resolvers/events/event-contract.js';
import { verifyWebhookSignature } from '../resolvers/webhooks/signature.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';
import { startReceiver, type Received } from './helpers/receiver.js';

const CREATE = `mutation($input: WebhookInput!) { createWebhook(input: $input) { secret webhook { id url events active } } }`;
const DELIVERIES = `query($id: ID, $status: WebhookDeliveryStatus) { webhookDeliveries(webhookId: $id, status: $status) {
  nodes { id eventId eventType status attempts responseStatus lastError deliveredAt } } }`;
const fast = { allowPrivateUrls: true, maxAttempts: 3, retryBaseMs: 30, retryMaxMs: 100, pollMs: 20, timeoutMs: 2000 };

/** Waits until the relay has read everything and no delivery of the webhook is still due: nothing more will be sent. */
async function allSent(app: TestApp, webhookId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await app.running.relay.settled();
    const { webhookDeliveries } = await app.admin.request(DELIVERIES, { id: webhookId });
    if (!webhookDeliveries.nodes.some((d: { status: string }) => d.status === 'PENDING' || d.status === 'RETRYING')) return webhookDeliveries.nodes;
    if (Date.now() > deadline) throw new Error(`deliveries still pending: ${JSON.stringify(webhookDeliveries.nodes)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const eventOf = (request: Received) => JSON.parse(request.body) as { id: string; type: string; data: Record<string, any> };

describe('webhooks', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ pluginConfig: { webhooks: fast } });
  });
  afterAll(() => app.stop());

  it('delivers exactly the subscribed events, signed, in the documented shape', async () => {
    const receiver = await startReceiver();
    const { createWebhook } = await app.admin.request(CREATE, { input: { url: `${receiver.url}/hooks`, events: ['ticket.created', 'message.created', 'ticket.closed'] } });
    expect(createWebhook.secret).toMatch(/^whsec_/);
    const sector = await createSector(app, 'Hooks');
    const agent = await createAgent(app, 'Hooker', [sector]);
    const ticket = await contactWrites(app, { phone: '5511900000001', body: 'hello', sectorId: sector });
    await agent.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
    await agent.client.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticket.id });

    const got = await receiver.until((all) => all.length >= 3);
    await allSent(app, createWebhook.webhook.id);
    // accepted is not subscribed: three events and no more.
    expect(receiver.received.map((r) => eventOf(r).type)).toEqual(['ticket.created', 'message.created', 'ticket.closed']);
    for (const request of got) {
      expect(request.path).toBe('/hooks');
      expect(verifyWebhookSignature({ secret: createWebhook.secret, body: request.body, id: request.headers['webhook-id'] as string, signature: request.headers['webhook-signature'] as string, timestamp: request.headers['webhook-timestamp'] as string })).toBe(true);
      const event = eventOf(request);
      expect(isPublicEventType(event.type)).toBe(true);
      expect(envelopeSchemaOf(event.type as 'ticket.created').safeParse(event).success, request.body).toBe(true);
      expect(request.headers['x-deskgraph-event']).toBe(event.type);
    }
    expect(eventOf(got[0]!).data['ticket'].id).toBe(ticket.id);
    expect(eventOf(got[1]!).data['message'].body).toBe('hello');
    expect(eventOf(got[2]!).data['closedBy']).toBe('AGENT');

    const { webhookDeliveries } = await app.admin.request(DELIVERIES, { id: createWebhook.webhook.id });
    expect(webhookDeliveries.nodes.map((d: { status: string }) => d.status)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED']);
    await app.admin.request('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: createWebhook.webhook.id });
    await receiver.close();
  });

  it('rejects forged, tampered and stale signatures with the documented verification', async () => {
    const receiver = await startReceiver();
    const { createWebhook } = await app.admin.request(CREATE, { input: { url: receiver.url, events: ['ticket.created'] } });
    await contactWrites(app, { phone: '5511900000002', body: 'sign me' });
    const [request] = await receiver.until((all) => all.length >= 1);
    const signed = { secret: createWebhook.secret, body: request!.body, id: request!.headers['webhook-id'] as string, signature: request!.headers['webhook-signature'] as string, timestamp: request!.headers['webhook-timestamp'] as string };
    expect(verifyWebhookSignature(signed)).toBe(true);
    expect(verifyWebhookSignature({ ...signed, secret: 'whsec_c29tZW9uZS1lbHNl' })).toBe(false);
    expect(verifyWebhookSignature({ ...signed, body: `${signed.body} ` })).toBe(false);
    expect(verifyWebhookSignature({ ...signed, now: Number(signed.timestamp) + 600 })).toBe(false);
    expect(verifyWebhookSignature({ ...signed, signature: undefined })).toBe(false);
    await app.admin.request('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: createWebhook.webhook.id });
    await receiver.close();
  });

  it('retries a receiver that answers 500, then dead-letters; redeliver sends the same event again', async () => {
    const receiver = await startReceiver({ status: 500 });
    const { createWebhook } = await app.admin.request(CREATE, { input: { url: receiver.url, events: ['ticket.created'] } });
    const ticket = await contactWrites(app, { phone: '5511900000003', body: 'failing receiver' });
    await receiver.until((all) => all.length >= 3);
    let dead: any[] = [];
    for (let i = 0; i < 100 && dead.length === 0; i++) {
      dead = (await app.admin.request(DELIVERIES, { id: createWebhook.webhook.id, status: 'DEAD' })).webhookDeliveries.nodes;
      if (dead.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ eventType: 'ticket.created', attempts: 3, responseStatus: 500, lastError: 'HTTP 500', deliveredAt: null });
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => eventOf(r).id)).size).toBe(1);

    receiver.answer(200);
    const { redeliverWebhookDelivery } = await app.admin.request('mutation($id: ID!) { redeliverWebhookDelivery(id: $id) { status attempts } }', { id: dead[0].id });
    expect(redeliverWebhookDelivery).toEqual({ status: 'PENDING', attempts: 0 });
    await receiver.until((all) => all.length >= 4);
    expect(eventOf(receiver.received[3]!).id).toBe(dead[0].eventId);
    expect(eventOf(receiver.received[3]!).data['ticket'].id).toBe(ticket.id);
    let status = '';
    for (let i = 0; i < 100 && status !== 'DELIVERED'; i++) {
      status = (await app.admin.request(DELIVERIES, { id: createWebhook.webhook.id })).webhookDeliveries.nodes[0].status;
      if (status !== 'DELIVERED') await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe('DELIVERED');
    await app.admin.request('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: createWebhook.webhook.id });
    await receiver.close();
  });

  it("keeps one ticket's events in order at a slow receiver", async () => {
    const receiver = await startReceiver({ delayMs: 40 });
    const { createWebhook } = await app.admin.request(CREATE, { input: { url: receiver.url, events: ['*'] } });
    const sector = await createSector(app, 'Ordered');
    const agent = await createAgent(app, 'Orderly', [sector]);
    const ticket = await contactWrites(app, { phone: '5511900000004', body: 'one', sectorId: sector });
    await contactWrites(app, { phone: '5511900000004', body: 'two', sectorId: sector });
    await agent.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
    await agent.client.request('mutation($id: ID!) { sendMessage(ticketId: $id, body: "answer") { id } }', { id: ticket.id });
    await agent.client.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticket.id });
    const ofTicket = (all: Received[]) => all.map(eventOf).filter((e) => e.data['ticket']?.id === ticket.id);
    await receiver.until((all) => ofTicket(all).some((e) => e.type === 'ticket.closed'));
    const events = ofTicket(receiver.received);
    expect(events.map((e) => e.type)).toEqual(['ticket.created', 'message.created', 'message.created', 'ticket.accepted', 'message.created', 'ticket.closed']);
    expect(events.map((e) => e.data['message']?.body ?? null)).toEqual([null, 'one', 'two', null, 'answer', null]);
    expect(events.map((e) => Number(e.id))).toEqual([...events.map((e) => Number(e.id))].sort((a, b) => a - b));
    await app.admin.request('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: createWebhook.webhook.id });
    await receiver.close();
  });

  it('pauses while inactive, and signs with the new secret after a rotation', async () => {
    const receiver = await startReceiver();
    const { createWebhook } = await app.admin.request(CREATE, { input: { url: receiver.url, events: ['ticket.created'] } });
    const id = createWebhook.webhook.id;
    const { updateWebhook } = await app.admin.request('mutation($id: ID!) { updateWebhook(id: $id, input: { active: false, description: "paused" }) { active description } }', { id });
    expect(updateWebhook).toEqual({ active: false, description: 'paused' });
    await contactWrites(app, { phone: '5511900000005', body: 'while paused' });
    await allSent(app, id);
    expect(receiver.received).toHaveLength(0);

    const { rotateWebhookSecret } = await app.admin.request('mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }', { id });
    expect(rotateWebhookSecret.secret).not.toBe(createWebhook.secret);
    await app.admin.request('mutation($id: ID!) { updateWebhook(id: $id, input: { active: true }) { id } }', { id });
    await contactWrites(app, { phone: '5511900000006', body: 'after the rotation' });
    const [request] = await receiver.until((all) => all.length >= 1);
    const signed = { body: request!.body, id: request!.headers['webhook-id'] as string, signature: request!.headers['webhook-signature'] as string, timestamp: request!.headers['webhook-timestamp'] as string };
    expect(verifyWebhookSignature({ ...signed, secret: rotateWebhookSecret.secret })).toBe(true);
    expect(verifyWebhookSignature({ ...signed, secret: createWebhook.secret })).toBe(false);
    expect(receiver.received).toHaveLength(1);
    const { webhooks } = await app.admin.request('{ webhooks { id } }');
    await app.admin.request('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id });
    expect((await app.admin.request('{ webhooks { id } }')).webhooks).toHaveLength(webhooks.length - 1);
    await expectUnchanged(app, () => app.admin.expectCode('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id }, 'NOT_FOUND'));
    await receiver.close();
  });

  it('refuses bad URLs, unknown events and non-ADMINs, changing nothing', async () => {
    const strict = await startTestApp({ pluginConfig: { webhooks: { ...fast, allowPrivateUrls: false } } });
    try {
      const before = await strict.snapshot();
      for (const url of ['http://127.0.0.1:9/x', 'http://localhost:9/x', 'http://10.1.2.3/x', 'http://[::1]/x', 'http://169.254.169.254/latest', 'ftp://example.com/x', 'not a url']) {
        await strict.admin.expectCode(CREATE, { input: { url, events: ['ticket.created'] } }, 'BAD_USER_INPUT', 'input.url');
      }
      await strict.admin.expectCode(CREATE, { input: { url: 'https://93.184.215.14/x', events: ['ticket.exploded'] } }, 'BAD_USER_INPUT', 'input.events');
      await strict.admin.expectCode(CREATE, { input: { url: 'https://93.184.215.14/x', events: [] } }, 'BAD_USER_INPUT', 'input.events');
      expect(await strict.snapshot()).toBe(before);
      const agent = await createAgent(strict, 'Nosy', []);
      const withAgent = await strict.snapshot();
      await agent.client.expectCode(CREATE, { input: { url: 'https://93.184.215.14/x', events: ['*'] } }, 'FORBIDDEN');
      await agent.client.expectCode(DELIVERIES, {}, 'FORBIDDEN');
      expect(await strict.snapshot()).toBe(withAgent);
      // A public address is accepted (nothing is sent until an event arrives).
      const { createWebhook } = await strict.admin.request(CREATE, { input: { url: 'https://93.184.215.14/x', events: ['*'] } });
      expect(createWebhook.webhook).toMatchObject({ url: 'https://93.184.215.14/x', events: ['*'], active: true });
      const created = await strict.snapshot();
      const update = 'mutation($id: ID!, $input: WebhookInput!) { updateWebhook(id: $id, input: $input) { id } }';
      await strict.admin.expectCode(update, { id: createWebhook.webhook.id, input: { url: 'http://192.168.0.10/x' } }, 'BAD_USER_INPUT', 'input.url');
      await strict.admin.expectCode(update, { id: createWebhook.webhook.id, input: { events: ['nope'] } }, 'BAD_USER_INPUT', 'input.events');
      await strict.admin.expectCode(update, { id: 'V2ViaG9vazo5OTk=', input: { active: false } }, 'NOT_FOUND');
      await strict.admin.expectCode('mutation { redeliverWebhookDelivery(id: "V2ViaG9va0RlbGl2ZXJ5Ojk5OQ==") { id } }', {}, 'NOT_FOUND');
      await agent.client.expectCode('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: createWebhook.webhook.id }, 'FORBIDDEN');
      expect(await strict.snapshot()).toBe(created);
    } finally {
      await strict.stop();
    }
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites } from './helpers/fixtures.js';
import { startReceiver } from './helpers/receiver.js';

const CREATE = `mutation($input: WebhookInput!) { createWebhook(input: $input) { secret webhook { id } } }`;
const fast = { allowPrivateUrls: true, maxAttempts: 3, retryBaseMs: 30, retryMaxMs: 100, pollMs: 20, timeoutMs: 2000 };

describe('Standard Webhooks signatures', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ pluginConfig: { webhooks: fast } });
  });
  afterAll(() => app.stop());

  it('a delivery verifies with the standardwebhooks library, and a tampered one does not', async () => {
    const receiver = await startReceiver({ status: 500 });
    receiver.answerNext(500);
    const { createWebhook } = await app.admin.request(CREATE, { input: { url: receiver.url, events: ['ticket.created'] } });
    expect(createWebhook.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    await contactWrites(app, { phone: '5511900000301', body: 'verify me' });
    // Two attempts of one delivery: the first answered 500, the retry 200.
    receiver.answer(200);
    const [first, retry] = await receiver.until((all) => all.length >= 2);

    const receiverSide = new Webhook(createWebhook.secret);
    for (const request of [first!, retry!]) {
      const headers = {
        'webhook-id': request.headers['webhook-id'] as string,
        'webhook-timestamp': request.headers['webhook-timestamp'] as string,
        'webhook-signature': request.headers['webhook-signature'] as string,
      };
      const event = receiverSide.verify(request.body, headers) as { type: string; data: { ticket: { id: string } } };
      expect(event.type).toBe('ticket.created');
      expect(() => receiverSide.verify(request.body.replace('ticket.created', 'ticket.closed'), headers)).toThrow(WebhookVerificationError);
      expect(() => new Webhook('whsec_c29tZW9uZS1lbHNlLXNlY3JldC0wMTIzNDU2Nzg5').verify(request.body, headers)).toThrow(WebhookVerificationError);
      expect(() => receiverSide.verify(request.body, { ...headers, 'webhook-id': 'msg_other' })).toThrow(WebhookVerificationError);
    }
    // The library-free check that docs/events.md shows, run as printed.
    const docs = readFileSync(join(import.meta.dirname, '..', 'docs', 'events.md'), 'utf8');
    const snippet = /```js\n(import \{ createHmac[\s\S]*?)```/.exec(docs)![1]!;
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-doc-'));
    try {
      writeFileSync(join(dir, 'verify.mjs'), `${snippet}\nexport { isFromDeskgraph };\n`);
      const { isFromDeskgraph } = (await import(pathToFileURL(join(dir, 'verify.mjs')).href)) as {
        isFromDeskgraph: (secret: string, rawBody: string, headers: Record<string, unknown>) => boolean;
      };
      expect(isFromDeskgraph(createWebhook.secret, first!.body, first!.headers)).toBe(true);
      expect(isFromDeskgraph(createWebhook.secret, `${first!.body} `, first!.headers)).toBe(false);
      expect(isFromDeskgraph('whsec_c29tZW9uZS1lbHNlLXNlY3JldC0wMTIzNDU2Nzg5', first!.body, first!.headers)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // The id stays the same across attempts, so a receiver deduplicates retries.
    expect(retry!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(first!.headers['webhook-id']).toMatch(/^msg_\d+$/);
    await app.admin.request('mutation($id: ID!) { deleteWebhook(id: $id) { id } }', { id: createWebhook.webhook.id });
    await receiver.close();
  });
});

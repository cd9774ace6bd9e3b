import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, databaseUrl, engine } from './helpers/engine.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { startThrowawayCluster, type Cluster } from './helpers/postgres-cluster.js';
import { contactWrites } from './helpers/fixtures.js';
import { startReceiver } from './helpers/receiver.js';

// The cluster under a running server goes away and comes back: requests of that moment fail as
// INTERNAL_SERVER_ERROR, /healthz says 503, and the same process serves again once it is back.
// A cluster of its own, since stopping the shared one would fail every other file.

const SECTORS = '{ sectors { name } }';
const CREATE_SECTOR = 'mutation($name: String!) { createSector(input: { name: $name }) { id } }';
const CREATE_WEBHOOK = 'mutation($input: WebhookInput!) { createWebhook(input: $input) { webhook { id } } }';
const DELIVERIES = 'query($id: ID) { webhookDeliveries(webhookId: $id) { nodes { status attempts } } }';
// A failed delivery comes back after 0.75-1.5 s; the sender polls every 100 ms.
const webhooks = { allowPrivateUrls: true, maxAttempts: 5, retryBaseMs: 1500, retryMaxMs: 1500, pollMs: 100, timeoutMs: 2000 };

async function healthStatus(app: TestApp): Promise<number> {
  return (await fetch(new URL('/healthz', app.url))).status;
}

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const ends = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > ends) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.runIf(engine === 'postgres')('PostgreSQL going away under a running server', () => {
  let cluster: Cluster;
  let app: TestApp;

  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    await adminQuery(cluster.adminUrl, 'CREATE DATABASE faults');
    // A lease far longer than the outage: the instance keeps it, so no new term nudges the webhook sender afterwards.
    app = await startTestApp({ databaseUrl: databaseUrl(cluster.adminUrl, 'faults'), relay: { leaseMs: 3_600_000 }, pluginConfig: { webhooks } });
  }, 120_000);
  afterAll(async () => {
    // The cluster is stopped even when the server's stop fails, so a failing run leaves no postgres behind.
    try {
      await app?.stop();
    } finally {
      cluster?.stop();
    }
  });

  it('answers INTERNAL_SERVER_ERROR and 503 while it is down, and heals by itself when it is back', async () => {
    await app.admin.request(CREATE_SECTOR, { name: 'Before' });
    expect(await healthStatus(app)).toBe(200);

    cluster.halt();
    await app.admin.expectCode(SECTORS, undefined, 'INTERNAL_SERVER_ERROR');
    await app.admin.expectCode(CREATE_SECTOR, { name: 'During' }, 'INTERNAL_SERVER_ERROR');
    expect(await healthStatus(app)).toBe(503);

    cluster.restart();
    await until(async () => (await healthStatus(app)) === 200, '/healthz to say 200 again');
    await app.admin.request(CREATE_SECTOR, { name: 'After' });
    const { sectors } = await app.admin.request<{ sectors: { name: string }[] }>(SECTORS);
    expect(sectors.map((sector) => sector.name).sort()).toEqual(['After', 'Before']);
  }, 120_000);

  it('keeps the webhook sender polling through the outage: a retry that fell due meanwhile goes out once it is back, with no new write', async () => {
    const receiver = await startReceiver();
    try {
      const { createWebhook } = await app.admin.request<{ createWebhook: { webhook: { id: string } } }>(CREATE_WEBHOOK, { input: { url: receiver.url, events: ['ticket.created'] } });
      const deliveries = async () => (await app.admin.request<{ webhookDeliveries: { nodes: { status: string; attempts: number }[] } }>(DELIVERIES, { id: createWebhook.webhook.id })).webhookDeliveries.nodes;
      receiver.answerNext(500);
      await contactWrites(app, { phone: '5511977700001', body: 'during an outage' });
      await receiver.until((all) => all.length >= 1);
      await until(async () => (await deliveries())[0]?.status === 'RETRYING', 'the first attempt to be recorded as failed');

      cluster.halt();
      // The retry falls due while the database is away: the sender's polls fail meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect(receiver.received).toHaveLength(1);
      cluster.restart();

      await receiver.until((all) => all.length >= 2, 30_000);
      expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
      await until(async () => (await deliveries())[0]?.status === 'DELIVERED', 'the retry to be recorded as delivered');
      expect(await deliveries()).toEqual([{ status: 'DELIVERED', attempts: 2 }]);
    } finally {
      await receiver.close();
    }
  }, 120_000);
});

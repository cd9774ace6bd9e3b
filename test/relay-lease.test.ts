import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../db/store.js';
import { createRelayLease, type RelayLease } from '../resolvers/events/relay-lease.js';
import { dropDatabase, prepareDatabase, withTestDatabase } from './helpers/database.js';
import { startTestApp } from './helpers/app.js';
import { contactWrites } from './helpers/fixtures.js';
import type { DeskgraphPlugin } from '../plugins/runtime/contract.js';

// The lease keeper each instance runs, on a real database: it takes a free lease, renews it, hands it
// over on stop, gives it up when another took it, and fences itself before expiry when it cannot renew.

const DURATION = 900;
const log = pino({ level: 'silent' });

let dir: string;
let url: string;
let store: Store;
const keepers: RelayLease[] = [];
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deskgraph-relay-lease-'));
  url = await prepareDatabase(dir);
  store = await openStore({ url });
});
afterEach(async () => {
  for (const keeper of keepers.splice(0)) await keeper.stop().catch(() => undefined);
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let names = 0;
function keeper(instance: string, name: string, on: Store = store): RelayLease {
  const lease = createRelayLease(on, log, { name, instance, durationMs: DURATION });
  keepers.push(lease);
  return lease;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the relay lease keeper', () => {
  it('takes a free lease at start and keeps it by renewing it before it expires', async () => {
    const name = `keep-${++names}`;
    const a = keeper('a', name);
    let gained = 0;
    a.onGained(() => gained++);
    await a.start();
    expect(a.holds()).toBe(true);
    expect(a.signal().aborted).toBe(false);
    expect(a.state()).toMatchObject({ instance: 'a', held: true });
    const first = (await store.leases.byName(name))!;
    await until('a renewal past the first expiry', async () => (await store.leases.byName(name))!.expiresAt.getTime() > first.expiresAt.getTime() + DURATION / 2);
    await until('three lease durations', () => Date.now() > first.expiresAt.getTime() + 2 * DURATION);
    expect(a.holds()).toBe(true);
    expect(gained).toBe(1);
    expect((await store.leases.byName(name))!).toMatchObject({ holder: 'a', takenAt: first.takenAt });
  });

  it('leaves a held lease alone, and takes it once its holder stops and releases it', async () => {
    const name = `handover-${++names}`;
    const a = keeper('a', name);
    const b = keeper('b', name);
    await a.start();
    let gained = 0;
    b.onGained(() => gained++);
    await b.start();
    expect([a.holds(), b.holds()]).toEqual([true, false]);
    expect(b.signal().aborted).toBe(true);
    // The work under the lease ends before it is given up.
    const order: string[] = [];
    a.beforeRelease(async () => {
      expect(a.holds()).toBe(true);
      order.push('work stopped');
    });
    await a.stop();
    order.push('released');
    expect(order).toEqual(['work stopped', 'released']);
    expect(a.holds()).toBe(false);
    await until('b to take the released lease', () => b.holds());
    expect(gained).toBe(1);
    expect((await store.leases.byName(name))!.holder).toBe('b');
  });

  it('ends its term at once when it finds the lease taken by another instance', async () => {
    const name = `taken-${++names}`;
    const a = keeper('a', name);
    await a.start();
    const signal = a.signal();
    // Another instance whose clock says the lease has long expired takes it.
    await store.write((tx) => tx.leases.take(name, 'intruder', 60_000, new Date(Date.now() + 3_600_000)));
    await until('a to notice', () => !a.holds());
    expect(signal.aborted).toBe(true);
    expect(a.state()).toEqual({ instance: 'a', held: false, since: null });
  });

  it('fences itself before the lease can expire when it cannot renew, and takes it again when it can', async () => {
    const name = `fence-${++names}`;
    const own = await openStore({ url });
    const a = keeper('a', name, own);
    await a.start();
    const signal = a.signal();
    await own.close();
    // Every renewal now fails: the last recorded expiry is the most the database gives a.
    await until('the fence', () => !a.holds());
    const expiry = (await store.leases.byName(name))!.expiresAt.getTime();
    expect(signal.aborted).toBe(true);
    expect(Date.now()).toBeLessThan(expiry);

    // Nobody took it meanwhile: another keeper on the same instance name picks it up once it works again.
    const again = keeper('a', name);
    await again.start();
    expect(again.holds()).toBe(true);
  });
});

describe('the webhook sender under the relay lease', () => {
  it('cuts off a POST in flight when the lease is lost, and leaves its delivery for the next holder to send', async () => {
    // A receiver that never answers, and sees the sender drop the connection.
    let requests = 0;
    let dropped = 0;
    const receiver = createServer((req, res) => {
      requests++;
      req.resume();
      res.on('close', () => (dropped += res.writableEnded ? 0 : 1));
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // Its own folder, kept after the stop for the last look at the database.
    const appDir = mkdtempSync(join(tmpdir(), 'deskgraph-relay-sender-'));
    const app = await startTestApp({ relay: { leaseMs: DURATION }, pluginConfig: { webhooks: { allowPrivateUrls: true, pollMs: 20, timeoutMs: 30_000 } } }, appDir);
    try {
      await app.admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { webhook { id } } }', {
        input: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, events: ['ticket.created'] },
      });
      await contactWrites(app, { phone: '5511930001111', body: 'hello' });
      await until('the POST to arrive', () => requests === 1);
      const lease = app.running.relay.lease;
      expect(lease.holds()).toBe(true);
      // Another instance takes the lease (its clock far ahead, so it finds it expired).
      await app.running.services.store.write((tx) => tx.leases.take('outbox-relay', 'other-instance', 60_000, new Date(Date.now() + 3_600_000)));
      await until('the POST to be cut off', () => dropped === 1);
      expect(lease.holds()).toBe(false);
      expect(await (await fetch(app.url.replace('/graphql', '/metrics'))).text()).toMatch(/^deskgraph_relay_lease_held 0$/m);
    } finally {
      await app.stop();
      receiver.close();
    }
    // Stopped, so nothing is still on its way: the delivery is as it was before the attempt.
    const rows = await withTestDatabase(app.config.databaseUrl, (db) => db.rows('SELECT status, attempts, last_error FROM webhook_deliveries'), { readonly: true });
    expect(rows).toEqual([{ status: 'PENDING', attempts: 0, last_error: null }]);
    await dropDatabase(appDir);
    rmSync(appDir, { recursive: true, force: true });
  });
});

describe('the outbox relay under the relay lease', () => {
  it('stops at the fence mid-batch, saving the cursor of the events it handled and not of the one it did not', async () => {
    // A plugin handler that hangs on message.created (recorded after ticket.created in the same
    // transaction, so both come in one batch) until the test lets it fail. One attempt per event: a
    // failure would be set aside at once, unless the relay sees it was fenced.
    const handled: string[] = [];
    let fail: (error: Error) => void = () => undefined;
    let waiting = false;
    const probe: DeskgraphPlugin = {
      name: 'probe',
      setup: (api) =>
        api.on(['ticket.created', 'message.created'], async (event) => {
          if (event.type === 'message.created') {
            waiting = true;
            await new Promise<void>((_, reject) => (fail = reject));
          }
          handled.push(event.id);
        }),
    };
    const appDir = mkdtempSync(join(tmpdir(), 'deskgraph-relay-fence-'));
    const app = await startTestApp({ plugins: [probe], relay: { leaseMs: DURATION, maxAttempts: 1 } }, appDir);
    try {
      await contactWrites(app, { phone: '5511930002222', body: 'hello' });
      await until('the handler to hang on message.created', () => waiting);
      await app.running.services.store.write((tx) => tx.leases.take('outbox-relay', 'other-instance', 60_000, new Date(Date.now() + 3_600_000)));
      await until('the fence', () => !app.running.relay.lease.holds());
      fail(new Error('the receiver went away'));
      await app.running.relay.settled();
    } finally {
      await app.stop();
    }
    const rows = await withTestDatabase(
      app.config.databaseUrl,
      async (db) => ({
        cursor: (await db.rows<{ last_event_id: number }>("SELECT last_event_id FROM outbox_consumers WHERE name = 'plugin:probe'"))[0]!.last_event_id,
        message: (await db.rows<{ id: number }>("SELECT id FROM outbox WHERE type = 'message.created'"))[0]!.id,
        failures: await db.rows('SELECT * FROM outbox_failures'),
      }),
      { readonly: true },
    );
    expect(handled).toHaveLength(1);
    // ticket.created is saved as handled; message.created is neither handled nor set aside: the next holder delivers it.
    expect(rows.cursor).toBeGreaterThanOrEqual(Number(handled[0]));
    expect(rows.cursor).toBeLessThan(rows.message);
    expect(rows.failures).toEqual([]);
    await dropDatabase(appDir);
    rmSync(appDir, { recursive: true, force: true });
  });
});

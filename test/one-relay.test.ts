import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedEntries, startEntry, type RunningEntry } from './helpers/child.js';
import { engine, prepareDatabase, withTestDatabase } from './helpers/database.js';
import { gqlClient, type GqlClient } from './helpers/gql.js';
import { startReceiver, type Received } from './helpers/receiver.js';

// Two servers (real child processes) on one database: PostgreSQL's, or one SQLite file in WAL mode
// shared by both processes. Only the relay lease's holder delivers webhooks; when it is killed
// the other takes the lease once it expires and goes on from the persisted cursors.

const SECRET = 'one-relay-test-secret-long-enough-for-hs256-0123456789';
const LEASE_SECONDS = 2;
const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';
const INGEST = 'mutation($phone: String!) { ingestMessage(input: { contact: { phone: $phone }, body: "hello" }) { id } }';
const DELIVERIES = 'query($id: ID) { webhookDeliveries(webhookId: $id, first: 100) { nodes { eventId status attempts } } }';

const dirs: string[] = [];
afterEach(() => {
  killStartedEntries();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** 1 or 0 from the instance's /metrics: whether it holds the relay lease now. */
async function holdsLease(entry: RunningEntry): Promise<number> {
  const text = await (await fetch(entry.url.replace('/graphql', '/metrics'))).text();
  return Number(/^deskgraph_relay_lease_held (\d)$/m.exec(text)?.[1]);
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const ticketOf = (received: Received) => (JSON.parse(received.body) as { data: { ticket: { id: string } } }).data.ticket.id;
const eventIdOf = (received: Received) => (JSON.parse(received.body) as { id: string }).id;

describe(`one relay among two instances on one ${engine} database`, () => {
  it('delivers each ticket.created once while both run, and after the holder is killed the other takes over within seconds', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-one-relay-'));
    dirs.push(dir);
    const receiver = await startReceiver();
    const env = {
      PORT: '0', HOST: '127.0.0.1', DATABASE_URL: await prepareDatabase(dir), JWT_SECRET: SECRET, LOG_LEVEL: 'info',
      BOOTSTRAP_ADMIN_EMAIL: 'admin@relay.test', BOOTSTRAP_ADMIN_PASSWORD: 'Relay-Passw0rd',
      WEBHOOKS_ALLOW_PRIVATE_URLS: 'true', WEBHOOKS_POLL_MS: '100', RELAY_LEASE_SECONDS: String(LEASE_SECONDS),
    };
    // The first migrates and bootstraps; the second finds it all done.
    const first = await startEntry(env);
    const second = await startEntry(env);
    const instances = [first, second];
    const { login } = await gqlClient(first.url).request(LOGIN, { email: 'admin@relay.test', password: 'Relay-Passw0rd' });
    const admins: GqlClient[] = instances.map((entry) => gqlClient(entry.url, login.token));
    const { createWebhook } = await admins[0]!.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { webhook { id } } }', {
      input: { url: receiver.url, events: ['ticket.created'] },
    });

    // Exactly one holds the lease, and the lease row names its process.
    const holderIndex = await until('one instance holding the relay lease', async () => {
      const held = await Promise.all(instances.map(holdsLease));
      return held[0]! + held[1]! === 1 ? held.indexOf(1) + 1 : null;
    });
    const holder = instances[holderIndex - 1]!;
    const standby = instances[2 - holderIndex]!;
    const leaseRow = await withTestDatabase(env.DATABASE_URL, (db) => db.rows<{ holder: string }>("SELECT holder FROM leases WHERE name = 'outbox-relay'"), { readonly: true });
    expect(leaseRow[0]!.holder).toContain(`:${holder.child.pid}:`);

    // Ten tickets, produced on both instances alternately.
    const tickets: string[] = [];
    for (let i = 0; i < 10; i++) tickets.push((await admins[i % 2]!.request(INGEST, { phone: `55119300000${String(i).padStart(2, '0')}` })).ingestMessage.id);
    await receiver.until((all) => all.length >= 10, 15_000);
    // Settled: every delivery recorded DELIVERED at its first attempt, nothing left to send.
    const settled = await until('ten deliveries recorded DELIVERED', async () => {
      const nodes = (await admins[1]!.request(DELIVERIES, { id: createWebhook.webhook.id })).webhookDeliveries.nodes as { eventId: string; status: string; attempts: number }[];
      return nodes.length === 10 && nodes.every((node) => node.status === 'DELIVERED') ? nodes : null;
    });
    expect(settled.every((node) => node.attempts === 1)).toBe(true);
    expect(receiver.received.map(ticketOf).sort()).toEqual([...tickets].sort());
    expect(new Set(receiver.received.map(eventIdOf)).size).toBe(10);
    expect(await Promise.all([holdsLease(holder), holdsLease(standby)])).toEqual([1, 0]);

    // The holder dies without a word; the rest is ingested on the survivor.
    holder.child.kill('SIGKILL');
    expect(await holder.stop()).toBe('SIGKILL');
    const killedAt = Date.now();
    const survivor = admins[instances.indexOf(standby)]!;
    for (let i = 10; i < 15; i++) tickets.push((await survivor.request(INGEST, { phone: `55119300000${i}` })).ingestMessage.id);
    await receiver.until((all) => all.length >= 15, 20_000);
    const takeoverMs = Date.now() - killedAt;
    // The lease expires LEASE_SECONDS after its last renewal; the survivor tries every third of it.
    expect(takeoverMs).toBeLessThan(LEASE_SECONDS * 1000 * 3);
    expect(await holdsLease(standby)).toBe(1);
    expect(standby.output()).toContain('took the relay lease');
    await until('fifteen deliveries recorded DELIVERED', async () => {
      const nodes = (await survivor.request(DELIVERIES, { id: createWebhook.webhook.id })).webhookDeliveries.nodes as { status: string }[];
      return nodes.length === 15 && nodes.every((node) => node.status === 'DELIVERED');
    });
    expect(receiver.received).toHaveLength(15);
    expect(receiver.received.map(ticketOf).sort()).toEqual([...tickets].sort());
    expect(new Set(receiver.received.map(eventIdOf)).size).toBe(15);

    // A clean stop gives the lease up at once.
    expect(await standby.stop('SIGTERM')).toBe(0);
    expect(await withTestDatabase(env.DATABASE_URL, (db) => db.rows("SELECT holder FROM leases WHERE name = 'outbox-relay'"), { readonly: true })).toEqual([]);
    await receiver.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notebookPlugin, noteOf } from './fixtures/notebook-plugin.js';
import { anotherAccount, platformHost, type OtherAccount, type PlatformHost } from './helpers/accounts.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { withTestDatabase } from './helpers/database.js';
import type { GqlClient } from './helpers/gql.js';
import { startReceiver } from './helpers/receiver.js';

// A suspended account runs no outbound work, even for events it committed before the suspension:
// its webhook deliveries wait (no attempt used, none failed) and go out once after resumeAccount;
// plugin handlers are not called for its events while the neighbour's are.

const fast = { allowPrivateUrls: true, maxAttempts: 3, retryBaseMs: 30, retryMaxMs: 100, pollMs: 20, timeoutMs: 10_000 };
const INGEST = 'mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id } }';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;
type Tenant = OtherAccount & { receiver: Receiver };
type DeliveryRow = { id: number; status: string; attempts: number; lastAttemptAt: number | null };

let app: TestApp;
let host: PlatformHost;
let platform: GqlClient;
const notebook = notebookPlugin();
const tenants: Tenant[] = [];
let phone = 5511955550000;

async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 10_000; !(await check()); ) {
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function tenant(name: string): Promise<Tenant> {
  const account = await anotherAccount(app, host, name);
  const receiver = await startReceiver();
  await account.admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { secret } }', { input: { url: `${receiver.url}/hooks`, events: ['*'] } });
  return { ...account, receiver };
}

/** A contact writes to the account (a new phone each time: a new ticket); answers the ticket id. */
async function contactWrites(to: Tenant, body: string): Promise<string> {
  return (await to.admin.request(INGEST, { input: { contact: { phone: String(++phone) }, body, channelId: to.channelId } })).ingestMessage.id;
}

const deliveredTo = (to: Tenant, ticketId: string) => to.receiver.received.some((request) => request.body.includes(ticketId));

async function deliveriesOf(of: Tenant, afterId = 0): Promise<DeliveryRow[]> {
  return withTestDatabase(app.config.databaseUrl, (db) =>
    db.rows<DeliveryRow>('SELECT id, status, attempts, last_attempt_at AS "lastAttemptAt" FROM webhook_deliveries WHERE account_id = ? AND id > ? ORDER BY id', [Number(of.accountId), afterId]),
  );
}

const lastDeliveryId = async () =>
  withTestDatabase(app.config.databaseUrl, async (db) => (await db.rows<{ n: number | null }>('SELECT max(id) AS n FROM webhook_deliveries'))[0]?.n ?? 0);

/**
 * The neighbour's events are delivered, twice in a row: the second is fetched only after the sender's
 * batch holding the first was done, and a delivery of the suspended account (older) would have been
 * fetched in or before that batch. So its receiver getting nothing proves nothing was sent.
 */
async function senderRanFor(neighbour: Tenant): Promise<void> {
  for (const round of [1, 2]) {
    const ticketId = await contactWrites(neighbour, `proof ${round}`);
    await neighbour.receiver.until((all) => all.some((request) => request.body.includes(ticketId)));
  }
}

/**
 * Runs `commit` while the webhook sender is busy with a neighbour's delivery whose answer is held,
 * so what `commit` adds is queued, not sent, until the answer is released.
 */
async function whileSenderBusy(neighbour: Tenant, commit: () => Promise<void>): Promise<void> {
  const release = neighbour.receiver.holdAnswers();
  try {
    const before = neighbour.receiver.received.length;
    await contactWrites(neighbour, 'keeps the sender waiting');
    await neighbour.receiver.until((all) => all.length > before);
    await commit();
  } finally {
    release();
  }
}

const suspend = (of: Tenant) => platform.request('mutation($id: ID!) { suspendAccount(id: $id) { id } }', { id: of.accountId });
const resume = (of: Tenant) => platform.request('mutation($id: ID!) { resumeAccount(id: $id) { id } }', { id: of.accountId });

beforeAll(async () => {
  host = await platformHost();
  app = await startTestApp({ ...host.settings, plugins: [notebook.plugin], pluginConfig: { webhooks: fast } });
  platform = app.as(host.token);
  for (const name of ['Paused Co', 'Neighbour Co', 'Closing Co']) tenants.push(await tenant(name));
  for (const each of tenants) {
    const ticketId = await contactWrites(each, 'warm-up');
    await each.receiver.until(() => deliveredTo(each, ticketId));
  }
});
afterAll(async () => {
  for (const each of tenants) await each.receiver.close();
  await app.stop();
});

describe('a suspended account', () => {
  it('has its webhook deliveries held: none sent, no attempt used, none failed; after resume each goes out once', async () => {
    const [paused, neighbour] = tenants as [Tenant, Tenant];
    const sentBefore = paused.receiver.received.length;
    const firstNew = await lastDeliveryId();
    let held: DeliveryRow[] = [];
    await whileSenderBusy(neighbour, async () => {
      const ticketId = await contactWrites(paused, 'committed before the suspension');
      await paused.admin.request('mutation($id: ID!) { setTicketTags(id: $id, tags: ["late"]) { id } }', { id: ticketId });
      // contact.created, ticket.created, message.created and ticket.tagged, fanned out to the webhook.
      await eventually(async () => (held = await deliveriesOf(paused, firstNew)).length === 4, 'the events were fanned out to the webhook');
      expect(held.every((row) => row.status === 'PENDING' && row.attempts === 0)).toBe(true);
      await suspend(paused);
    });

    await senderRanFor(neighbour);
    expect(paused.receiver.received.length).toBe(sentBefore);
    expect(await deliveriesOf(paused, firstNew)).toEqual(held);

    await resume(paused);
    await eventually(async () => (await deliveriesOf(paused, firstNew)).every((row) => row.status === 'DELIVERED'), 'the held deliveries were delivered after resume');
    await senderRanFor(neighbour);
    const sent = paused.receiver.received.slice(sentBefore).map((request) => Number(request.headers['x-deskgraph-delivery']));
    expect(sent.sort((a, b) => a - b)).toEqual(held.map((row) => row.id));
    expect((await deliveriesOf(paused, firstNew)).map((row) => row.attempts)).toEqual(held.map(() => 1));
  });

  it('does not have its events handled by plugins, except an erasure, while the neighbour\'s are; it is counted and the records stay', async () => {
    const [paused, neighbour] = tenants as [Tenant, Tenant];
    const stats = () => app.running.relay.stats('plugin:notebook')!;
    // A contact whose only ticket is over, so an ADMIN may erase them.
    const { ingestMessage: gone } = await paused.admin.request('mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id contact { id } } }', {
      input: { contact: { phone: String(++phone), name: 'Forget Me' }, body: 'erase me later', channelId: paused.channelId },
    });
    await paused.admin.request('mutation($id: ID!) { cancelTicket(id: $id) { id } }', { id: gone.id });

    // The plugin's handler waits on a neighbour's event, so the paused account's events queue behind it.
    await app.running.relay.settled();
    const latestBefore = await noteOf(app.url, paused.accountId, 'latest', 'ticket');
    const skippedBefore = stats().skippedSuspended;
    const firstNew = await lastDeliveryId();
    const release = notebook.hold();
    let pausedTicket = '';
    const heardBefore = notebook.heard.length + 1;
    try {
      await contactWrites(neighbour, 'keeps the handler waiting');
      await eventually(() => notebook.heard.length >= heardBefore, 'the handler got the neighbour\'s event');
      pausedTicket = await contactWrites(paused, 'committed before the suspension');
      await paused.admin.request('mutation($id: ID!) { eraseContact(id: $id) { id } }', { id: gone.contact.id });
      await suspend(paused);
    } finally {
      release();
    }
    const proof = await contactWrites(neighbour, 'after the suspension');
    await eventually(() => notebook.heard.some((event) => JSON.stringify(event.data).includes(proof)), 'the handler got the neighbour\'s next event');

    const heardSince = notebook.heard.slice(heardBefore);
    // Only the erasure reached the plugin: forgetting someone's data is a duty, not outbound work.
    expect(heardSince.filter((event) => event.accountId === paused.accountId).map((event) => [event.type, JSON.stringify(event.data).includes(gone.contact.id)])).toEqual([['contact.erased', true]]);
    expect(heardSince.filter((event) => event.accountId === neighbour.accountId).length).toBeGreaterThan(0);
    // One skip per other event of the paused account since the hold: its webhook deliveries (subscribed to every event) count them.
    const typesSince = async () =>
      (await withTestDatabase(app.config.databaseUrl, (db) =>
        db.rows<{ type: string }>('SELECT event_type AS type FROM webhook_deliveries WHERE account_id = ? AND id > ?', [Number(paused.accountId), firstNew]),
      )).map((row) => row.type);
    // The erasure is the last of them, and the webhook consumer reads in order: once it is there, all are.
    await eventually(async () => (await typesSince()).includes('contact.erased'), 'the events were fanned out to the webhook');
    const events = await typesSince();
    expect(events.filter((type) => type !== 'contact.erased').length).toBeGreaterThanOrEqual(3);
    expect(stats().skippedSuspended - skippedBefore).toBe(events.length - 1);
    expect(await noteOf(app.url, paused.accountId, 'latest', 'ticket')).toBe(latestBefore);
    expect(latestBefore).toBe(gone.id);
    expect(pausedTicket).not.toBe(gone.id);

    await resume(paused);
    const after = await contactWrites(paused, 'after the resume');
    await eventually(() => notebook.heard.some((event) => event.accountId === paused.accountId && JSON.stringify(event.data).includes(after)), 'the handler got the resumed account\'s event');
    await app.running.relay.settled();
    expect(await noteOf(app.url, paused.accountId, 'latest', 'ticket')).toBe(after);
  });

  it('loses its held deliveries with deleteAccount: never sent, no row left', async () => {
    const [, neighbour, closing] = tenants as [Tenant, Tenant, Tenant];
    const sentBefore = closing.receiver.received.length;
    const firstNew = await lastDeliveryId();
    await whileSenderBusy(neighbour, async () => {
      await contactWrites(closing, 'committed before the suspension');
      await eventually(async () => (await deliveriesOf(closing, firstNew)).length === 3, 'the events were fanned out to the webhook');
      await suspend(closing);
    });
    await senderRanFor(neighbour);
    const held = await deliveriesOf(closing, firstNew);
    expect(held.every((row) => row.status === 'PENDING' && row.attempts === 0)).toBe(true);
    expect((await platform.request('mutation($id: ID!) { deleteAccount(id: $id) }', { id: closing.accountId })).deleteAccount).toBe(closing.accountId);
    await senderRanFor(neighbour);
    expect(closing.receiver.received.length).toBe(sentBefore);
    expect(await deliveriesOf(closing)).toEqual([]);
  });
});

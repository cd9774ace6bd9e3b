import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteOf, notebookPlugin, writeNote } from './fixtures/notebook-plugin.js';
import { hostSignedToken, platformHost, type PlatformHost } from './helpers/accounts.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { tablesOf } from './helpers/database.js';
import type { GqlClient } from './helpers/gql.js';
import { startReceiver } from './helpers/receiver.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { multipart, pdf } from './helpers/uploads.js';

// deleteAccount (platform): a host closing a tenant removes every row under it and its files, and
// nothing of any other account moves. Compared table by table with the database before it existed.

const fast = { allowPrivateUrls: true, maxAttempts: 2, retryBaseMs: 30, retryMaxMs: 100, pollMs: 20, timeoutMs: 2000 };
// Tables every account shares: consumers' cursors move with any event, the relay lease with time.
const shared = (table: string) => table === 'outbox_consumers' || table.includes('lease') || /_search(_|$)/.test(table);

let app: TestApp;
let platform: GqlClient;
let host: PlatformHost;
const notebook = notebookPlugin();

async function signedIn(accountId: string, externalId: string): Promise<{ client: GqlClient; token: string }> {
  const token = await hostSignedToken(host, accountId, externalId);
  return { client: app.as(token), token };
}

async function everyTable(): Promise<Record<string, string[]>> {
  await app.running.relay.settled();
  return Object.fromEntries(Object.entries(await tablesOf(app.config.databaseUrl)).filter(([table]) => !shared(table)));
}

function storedFiles(): string[] {
  try {
    return readdirSync(join(app.dir, 'attachments'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  host = await platformHost();
  app = await startTestApp({ ...host.settings, plugins: [notebook.plugin], pluginConfig: { webhooks: fast } });
  platform = app.as(host.token);
});
afterAll(() => app.stop());

describe('deleteAccount', () => {
  it('removes every row and file of a suspended account and leaves the others as they were', async () => {
    // The bootstrap account has a ticket of its own and plugin records, which must survive.
    const home = (await app.admin.request('{ account { id } }')).account.id as string;
    const { ingestMessage: staying } = await app.admin.request('mutation { ingestMessage(input: { contact: { phone: "5511977770001", name: "Stays" }, body: "still here" }) { id } }');
    await writeNote(app.url, { account: Number(home), kind: 'memo', key: 'shared', value: 'the neighbour\'s' });
    const before = await everyTable();
    expect(await noteOf(app.url, home, 'latest', 'ticket')).toBe(staying.id);
    const filesBefore = storedFiles();

    const { createAccount } = await platform.request('mutation { createAccount(input: { name: "Closing Co" }) { id } }');
    const accountId = createAccount.id as string;
    const upsert = 'mutation($a: ID!, $input: UpsertUserInput!) { upsertUser(accountId: $a, input: $input) { id } }';
    await platform.request(upsert, { a: accountId, input: { externalId: 'boss', name: 'Boss', email: 'boss@closing.test', role: 'ADMIN' } });
    const { client: admin } = await signedIn(accountId, 'boss');
    const { createSector } = await admin.request('mutation { createSector(input: { name: "Sales" }) { id } }');
    await platform.request(upsert, { a: accountId, input: { externalId: 'ana', name: 'Ana', email: 'ana@closing.test', role: 'USER', sectorIds: [createSector.id] } });
    const { client: ana, token: anaToken } = await signedIn(accountId, 'ana');
    await ana.request('mutation { setMyStatus(status: ONLINE) { id } }');
    const receiver = await startReceiver();
    await admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { secret } }', { input: { url: `${receiver.url}/hooks`, events: ['*'] } });
    await admin.request('mutation { createIntegration(name: "Bot") { token } }');
    const { createReadyReplyCategory } = await admin.request('mutation { createReadyReplyCategory(name: "Greetings") { id } }');
    await admin.request('mutation($c: ID!, $s: [ID!]) { createReadyReply(categoryId: $c, title: "Hi", body: "Hello", sectorIds: $s) { id } }', { c: createReadyReplyCategory.id, s: [createSector.id] });
    await admin.request('mutation { createTemplate(input: { name: "welcome", body: "Hi", language: "pt_BR" }) { id } }');
    await admin.request('mutation { createPauseReason(name: "Lunch") { id } }');
    const { ingestMessage } = await admin.request('mutation($s: ID!) { ingestMessage(input: { contact: { phone: "5511977770001", name: "Stays" }, body: "same phone, other account", sectorId: $s }) { id contact { id } } }', { s: createSector.id });
    await admin.request('mutation($id: ID!) { updateContact(id: $id, input: { tags: ["vip"] }) { id } }', { id: ingestMessage.contact.id });
    await ana.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ingestMessage.id });
    await ana.request('mutation($id: ID!) { setTicketTags(id: $id, tags: ["billing"]) { id } }', { id: ingestMessage.id });
    const sent = await multipart(app, anaToken, 'mutation($id: ID!, $body: String!, $files: [Upload!]) { sendMessage(ticketId: $id, body: $body, attachments: $files) { id } }', { id: ingestMessage.id, body: 'the file' }, [
      { name: 'doc.pdf', bytes: pdf(2000), type: 'application/pdf' },
    ]);
    expect(sent.errors).toBeUndefined();
    await ana.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ingestMessage.id });
    await admin.request('mutation($id: ID!) { rateTicket(ticketId: $id, rating: 4, comment: "ok") { rating } }', { id: ingestMessage.id });
    await writeNote(app.url, { account: Number(accountId), kind: 'memo', key: 'shared', value: 'the closing account\'s' });
    for (const deadline = Date.now() + 10_000; ; ) {
      await app.running.relay.settled();
      const { webhookDeliveries } = await admin.request('{ webhookDeliveries(first: 100) { nodes { status } } }');
      if (webhookDeliveries.nodes.length > 0 && webhookDeliveries.nodes.every((d: { status: string }) => d.status === 'DELIVERED')) break;
      if (Date.now() > deadline) throw new Error('webhook deliveries still pending');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const filled = await everyTable();
    expect(filled, 'the account left no rows to delete: the comparison would prove nothing').not.toEqual(before);
    expect(storedFiles().length).toBe(filesBefore.length + 1);
    expect(await noteOf(app.url, accountId, 'latest', 'ticket')).toBe(ingestMessage.id);
    expect(await noteOf(app.url, accountId, 'memo', 'shared')).toBe('the closing account\'s');

    // A live account is refused, and so is an unknown one; nothing changes.
    await expectUnchanged(app, async () => {
      const refused = await platform.expectCode('mutation($id: ID!) { deleteAccount(id: $id) }', { id: accountId }, 'CONFLICT');
      expect(refused.extensions?.['reason']).toBe('NOT_SUSPENDED');
      await platform.expectCode('mutation($id: ID!) { deleteAccount(id: $id) }', { id: '999999' }, 'NOT_FOUND');
      await app.admin.expectCode('mutation($id: ID!) { deleteAccount(id: $id) }', { id: accountId }, 'FORBIDDEN');
      await admin.expectCode('mutation($id: ID!) { deleteAccount(id: $id) }', { id: accountId }, 'FORBIDDEN');
    });

    await platform.request('mutation($id: ID!) { suspendAccount(id: $id) { id } }', { id: accountId });
    expect((await platform.request('mutation($id: ID!) { deleteAccount(id: $id) }', { id: accountId })).deleteAccount).toBe(accountId);

    expect(await everyTable()).toEqual(before);
    expect(storedFiles()).toEqual(filesBefore);
    expect(await noteOf(app.url, accountId, 'latest', 'ticket')).toBeNull();
    expect(await noteOf(app.url, accountId, 'memo', 'shared')).toBeNull();
    expect(await noteOf(app.url, home, 'latest', 'ticket')).toBe(staying.id);
    expect(await noteOf(app.url, home, 'memo', 'shared')).toBe('the neighbour\'s');
    const { accounts } = await platform.request('{ accounts(first: 50) { edges { node { id } } } }');
    expect(accounts.edges.map((edge: { node: { id: string } }) => edge.node.id)).not.toContain(accountId);
    await admin.expectCode('{ me { id } }', undefined, 'UNAUTHENTICATED');
    await platform.expectCode('mutation($id: ID!) { deleteAccount(id: $id) }', { id: accountId }, 'NOT_FOUND');
    const { contacts } = await app.admin.request('{ contacts(search: "Stays") { totalCount } }');
    expect(contacts.totalCount).toBe(1);
    await receiver.close();
  });
});

import { encodeGlobalID } from '@pothos/plugin-relay';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteOf, notebookPlugin, writeNote } from './fixtures/notebook-plugin.js';
import { anotherAccount, platformHost, type PlatformHost } from './helpers/accounts.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { INGEST } from './helpers/fixtures.js';
import type { GqlClient } from './helpers/gql.js';
import { startReceiver } from './helpers/receiver.js';
import { subscribe, untilListening, wsClient, type LiveSubscription } from './helpers/ws.js';

// Three accounts with the same phones, contact names, sector names, agent names and external ids.
// Whatever runs in them, no read, count, search, live event or webhook delivery ever crosses, and
// another account's ids answer exactly as ids that never existed. isolation-property.test.ts does the
// same with accounts the platform made and host sign-on; this one covers the other surfaces: webhook
// deliveries, integration tokens, templates, ready replies, transcripts, contact updates, monitoring,
// and a plugin's records (the same kind and key written in several accounts).
// Replay a failure with PROPERTY_SEED=<the seed fast-check prints>.

const fast = { allowPrivateUrls: true, maxAttempts: 3, retryBaseMs: 30, retryMaxMs: 100, pollMs: 20, timeoutMs: 2000 };
const PHONES = ['5511911110001', '5511911110002', '5511911110003'];
const NAMES = ['Ana Souza', 'Bruno Lima'];
const WARMUP_PHONE = '5511911119999';
const MISSING = { Ticket: 'VGlja2V0Ojk5OTk5OQ==', Contact: 'Q29udGFjdDo5OTk5OTk=', Message: 'TWVzc2FnZTo5OTk5OTk=' };

interface Tenant {
  index: number;
  accountId: string;
  token: string;
  admin: GqlClient;
  agent: GqlClient;
  channelId: string;
  sectorId: string;
  tickets: Set<string>;
  contacts: Set<string>;
  messages: Set<string>;
  live: LiveSubscription;
  heard: { ticketId: string; phone: string | null }[];
  receiver: Awaited<ReturnType<typeof startReceiver>>;
  /** The token of a bot's integration (INGEST) of this account. */
  botToken: string;
  /** The account's other objects by type, each made with the same name in every account. */
  objects: Record<string, string[]>;
  /** What the notebook plugin should hold in this account: memo key -> the value last written here. */
  notes: Map<string, string>;
}

let app: TestApp;
let host: PlatformHost;
const notebook = notebookPlugin();
let written = 0;
const tenants: Tenant[] = [];

async function signIn(email: string, password: string): Promise<{ client: GqlClient; token: string }> {
  const { login } = await app.anonymous.request('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: password });
  return { client: app.as(login.token), token: login.token };
}

/** The first account is the bootstrap one; the platform makes the others, their ADMIN signed in by the host. */
async function adminOf(index: number): Promise<{ client: GqlClient; token: string }> {
  if (index === 0) return { client: app.admin, token: app.adminToken };
  const account = await anotherAccount(app, host, `Tenant ${index}`);
  return { client: account.admin, token: account.token };
}

async function tenantOf(index: number): Promise<Tenant> {
  const { client: admin, token } = await adminOf(index);
  const { account } = await admin.request('{ account { id } }');
  const channels = (await admin.request('{ channels { id } }')).channels as { id: string }[];
  const channelId = channels[0]?.id ?? (await admin.request('mutation { createChannel(input: { name: "WhatsApp", kind: WHATSAPP }) { id } }')).createChannel.id;
  const { createSector } = await admin.request('mutation { createSector(input: { name: "Sales" }) { id } }');
  // The same agent name in every account; e-mails are unique across the installation.
  await admin.request('mutation($input: CreateUserInput!) { createUser(input: $input) { id } }', {
    input: { name: 'Ana', email: `ana${index}@tenant.test`, password: 'Ana-Passw0rd', role: 'USER', sectorIds: [createSector.id] },
  });
  const agent = (await signIn(`ana${index}@tenant.test`, 'Ana-Passw0rd')).client;
  await agent.request('mutation { setMyStatus(status: ONLINE) { id } }');
  const { createIntegration } = await admin.request('mutation { createIntegration(name: "Bot", scopes: [INGEST]) { token integration { id } } }');
  const { createReadyReplyCategory } = await admin.request('mutation { createReadyReplyCategory(name: "Greetings") { id } }');
  const { createReadyReply } = await admin.request('mutation($c: ID!) { createReadyReply(categoryId: $c, title: "Hello", body: "Hello {{contact.name}}") { id } }', { c: createReadyReplyCategory.id });
  const { createTemplate } = await admin.request('mutation { createTemplate(input: { name: "welcome", body: "Hi there", language: "pt_BR" }) { id } }');
  const { users } = await admin.request('{ users { id } }');
  const receiver = await startReceiver();
  const { createWebhook } = await admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { webhook { id } } }', { input: { url: `${receiver.url}/hooks`, events: ['*'] } });
  const objects = {
    Sector: [createSector.id], Channel: [channelId], User: users.map((user: { id: string }) => user.id), Integration: [createIntegration.integration.id],
    ReadyReplyCategory: [createReadyReplyCategory.id], ReadyReply: [createReadyReply.id], Template: [createTemplate.id], Webhook: [createWebhook.webhook.id],
  };
  const heard: Tenant['heard'] = [];
  const live = subscribe(wsClient(app.url, { authorization: `Bearer ${token}` }), 'subscription { ticketEvents { ticketId ticket { contact { phone } } } }', {}, {
    skip: (result: { ticketEvents?: { ticket: { contact: { phone: string } } | null } }) => {
      heard.push({ ticketId: (result as unknown as { ticketEvents: { ticketId: string } }).ticketEvents?.ticketId, phone: result.ticketEvents?.ticket?.contact.phone ?? null });
      return true;
    },
  });
  return { index, accountId: account.id, token, admin, agent, channelId, sectorId: createSector.id, tickets: new Set(), contacts: new Set(), messages: new Set(), live, heard, receiver, botToken: createIntegration.token, objects, notes: new Map() };
}

const operation = fc.oneof(
  fc.record({ kind: fc.constant('ingest' as const), tenant: fc.nat(2), phone: fc.nat(2), name: fc.nat(1), externalId: fc.option(fc.nat(2), { nil: null }), toSector: fc.boolean() }),
  fc.record({ kind: fc.constant('accept' as const), tenant: fc.nat(2), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('close' as const), tenant: fc.nat(2), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('rename' as const), tenant: fc.nat(2), pick: fc.nat(20), name: fc.nat(1) }),
  fc.record({ kind: fc.constant('reachAcross' as const), tenant: fc.nat(2), other: fc.nat(2), pick: fc.nat(20) }),
  fc.record({ kind: fc.constant('note' as const), tenant: fc.nat(2), key: fc.nat(2) }),
);
const MEMO_KEYS = ['k0', 'k1', 'k2'];
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

const pickFrom = <T>(items: Set<T>, pick: number): T | undefined => [...items][pick % Math.max(1, items.size)];

async function run(step: Operation): Promise<void> {
  const tenant = tenants[step.tenant]!;
  switch (step.kind) {
    case 'ingest': {
      const input = {
        contact: { phone: PHONES[step.phone], name: NAMES[step.name], externalId: `contact-${step.phone}` },
        body: `hello from ${NAMES[step.name]}`,
        channelId: tenant.channelId,
        ...(step.toSector ? { sectorId: tenant.sectorId } : {}),
        ...(step.externalId === null ? {} : { externalId: `message-${step.externalId}` }),
      };
      const { ingestMessage } = await tenant.admin.request('mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id contact { id } lastMessage { id } } }', { input });
      tenant.tickets.add(ingestMessage.id);
      tenant.contacts.add(ingestMessage.contact.id);
      tenant.messages.add(ingestMessage.lastMessage.id);
      return;
    }
    case 'accept':
    case 'close': {
      const ticketId = pickFrom(tenant.tickets, step.pick);
      if (!ticketId) return;
      const client = step.kind === 'accept' ? tenant.agent : tenant.admin;
      // Refusals by the lifecycle or the visibility rule (an unsectored ticket for Ana) are part of the mix.
      await client.errors(`mutation($id: ID!) { ${step.kind === 'accept' ? 'acceptTicket' : 'closeTicket'}(id: $id) { id } }`, { id: ticketId });
      return;
    }
    case 'rename': {
      const contactId = pickFrom(tenant.contacts, step.pick);
      if (contactId) await tenant.admin.request('mutation($id: ID!, $n: String!) { updateContact(id: $id, input: { name: $n }) { id } }', { id: contactId, n: NAMES[step.name] });
      return;
    }
    case 'note': {
      const value = `account ${tenant.index}, note ${++written}`;
      await writeNote(app.url, { account: Number(tenant.accountId), kind: 'memo', key: MEMO_KEYS[step.key]!, value });
      tenant.notes.set(MEMO_KEYS[step.key]!, value);
      return;
    }
    case 'reachAcross': {
      const other = tenants[step.other]!;
      if (other === tenant) return;
      for (const [type, ids] of [['Ticket', other.tickets], ['Contact', other.contacts], ['Message', other.messages]] as const) {
        const id = pickFrom(ids, step.pick);
        if (!id) continue;
        const read = await tenant.admin.request('query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }', { a: id, b: MISSING[type] });
        expect(read).toEqual({ a: null, b: null });
      }
      for (const [type, ids] of Object.entries(other.objects)) {
        const id = ids[step.pick % ids.length]!;
        const foreign = await tenant.admin.errors('query($id: ID!) { node(id: $id) { id } }', { id });
        const missing = await tenant.admin.errors('query($id: ID!) { node(id: $id) { id } }', { id: encodeGlobalID(type, 999_999) });
        expect([type, foreign]).toEqual([type, missing]);
        expect((await tenant.admin.request('query($id: ID!) { node(id: $id) { id } }', { id }).catch(() => ({ node: null }))).node, `${type} ${id}`).toBeNull();
      }
      // A bot of this account naming the other's channel: as a channel that never existed.
      const bot = app.as(tenant.botToken);
      const viaForeign = await bot.errors(INGEST, { input: { contact: { phone: PHONES[0] }, body: 'hi', channelId: other.channelId } });
      const viaMissing = await bot.errors(INGEST, { input: { contact: { phone: PHONES[0] }, body: 'hi', channelId: encodeGlobalID('Channel', 999_999) } });
      expect(viaForeign.map((e) => [e.message, e.extensions])).toEqual(viaMissing.map((e) => [e.message, e.extensions]));
      expect(viaForeign[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
      const ticketId = pickFrom(other.tickets, step.pick);
      if (ticketId) {
        const foreign = await tenant.agent.errors('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticketId });
        const missing = await tenant.agent.errors('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: MISSING.Ticket });
        expect(foreign.map((e) => [e.message, e.extensions])).toEqual(missing.map((e) => [e.message, e.extensions]));
        for (const id of [ticketId, MISSING.Ticket]) {
          const transcript = await fetch(new URL(`/tickets/${encodeURIComponent(id)}/transcript.pdf`, app.url), { headers: { authorization: `Bearer ${tenant.token}` } });
          expect([id === MISSING.Ticket ? 'missing' : 'foreign', transcript.status]).toEqual([id === MISSING.Ticket ? 'missing' : 'foreign', 404]);
          await transcript.arrayBuffer();
        }
      }
      const contactId = pickFrom(other.contacts, step.pick);
      if (contactId) {
        const foreign = await tenant.admin.errors('mutation($id: ID!) { updateContact(id: $id, input: { notes: "x" }) { id } }', { id: contactId });
        const missing = await tenant.admin.errors('mutation($id: ID!) { updateContact(id: $id, input: { notes: "x" }) { id } }', { id: MISSING.Contact });
        expect(foreign.map((e) => [e.message, e.extensions])).toEqual(missing.map((e) => [e.message, e.extensions]));
      }
      return;
    }
  }
}

/** Every read of one account holds only its own rows; its counts are those of its own tickets. */
async function expectOwnPicture(tenant: Tenant): Promise<void> {
  const statuses = new Map<string, string>();
  for (const id of tenant.tickets) statuses.set(id, (await tenant.admin.request('query($id: ID!) { ticket(id: $id) { status } }', { id })).ticket.status);
  const count = (status: string) => [...statuses.values()].filter((value) => value === status).length;
  const { ticketCounts, waiting, open, closed, monitoring } = await tenant.admin.request(`{
    ticketCounts { waiting open closed }
    waiting: tickets(status: WAITING, first: 100) { totalCount edges { node { id } } }
    open: tickets(status: OPEN, all: true, first: 100) { totalCount edges { node { id } } }
    closed: tickets(status: CLOSED, first: 100) { totalCount edges { node { id } } }
    monitoring { ticketsInQueue }
  }`);
  // The ADMIN never takes a ticket here, so none is "assigned to me".
  expect(ticketCounts).toEqual({ waiting: count('WAITING'), open: 0, closed: count('CLOSED') });
  expect(monitoring.ticketsInQueue).toBe(count('WAITING'));
  for (const [tab, status] of [[waiting, 'WAITING'], [open, 'OPEN'], [closed, 'CLOSED']] as const) {
    expect(tab.totalCount).toBe(count(status));
    for (const edge of tab.edges) expect(tenant.tickets.has(edge.node.id), `${status} tab of account ${tenant.index} lists ${edge.node.id}`).toBe(true);
  }
  const lists = await tenant.admin.request(`{
    sectors { id } channels { id } users { id } integrations { id } templates { id } webhooks { id }
    readyReplyCategories { id replies { id } }
  }`);
  const listed = {
    Sector: lists.sectors, Channel: lists.channels, User: lists.users, Integration: lists.integrations, Template: lists.templates, Webhook: lists.webhooks,
    ReadyReplyCategory: lists.readyReplyCategories, ReadyReply: lists.readyReplyCategories.flatMap((category: { replies: unknown[] }) => category.replies),
  } as Record<string, { id: string }[]>;
  for (const [type, rows] of Object.entries(listed)) expect([type, rows.map((row) => row.id).sort()]).toEqual([type, [...tenant.objects[type]!].sort()]);
  // The same kind and key in every account: each account reads only what was written in it.
  for (const key of MEMO_KEYS) expect([key, await noteOf(app.url, tenant.accountId, 'memo', key)]).toEqual([key, tenant.notes.get(key) ?? null]);
  for (const search of [...PHONES, ...NAMES]) {
    const found = await tenant.admin.request('query($s: String!) { contacts(search: $s, first: 100) { edges { node { id } } } tickets(status: WAITING, search: $s, first: 100) { edges { node { id } } } }', { s: search });
    for (const edge of found.contacts.edges) expect(tenant.contacts.has(edge.node.id), `search "${search}" in account ${tenant.index}`).toBe(true);
    for (const edge of found.tickets.edges) expect(tenant.tickets.has(edge.node.id), `search "${search}" in account ${tenant.index}`).toBe(true);
  }
}

beforeAll(async () => {
  host = await platformHost();
  app = await startTestApp({ ...host.settings, plugins: [notebook.plugin], pluginConfig: { webhooks: fast }, passwords: { memoryCost: 1024, timeCost: 1 } });
  for (let index = 0; index < 3; index++) tenants.push(await tenantOf(index));
  await untilListening(
    tenants.map((tenant) => tenant.live),
    () =>
      Promise.all(
        tenants.map(async (tenant) => {
          const { ingestMessage } = await tenant.admin.request('mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id contact { id } lastMessage { id } } }', {
            input: { contact: { phone: WARMUP_PHONE }, body: 'warm-up', channelId: tenant.channelId },
          });
          tenant.tickets.add(ingestMessage.id);
          tenant.contacts.add(ingestMessage.contact.id);
          tenant.messages.add(ingestMessage.lastMessage.id);
        }),
      ),
  );
});
afterAll(async () => {
  for (const tenant of tenants) {
    tenant.live.dispose();
    await tenant.receiver.close();
  }
  await app.stop();
});

describe('three accounts with the same phones, names and external ids', () => {
  it('never share a read, a count, a search, a live event or a webhook delivery', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 4, maxLength: 14 }), async (steps) => {
        for (const step of steps) await run(step);
        for (const tenant of tenants) await expectOwnPicture(tenant);
      }),
      { numRuns: 8, endOnFailure: true, seed: Number(process.env['PROPERTY_SEED'] ?? Date.now() % 2 ** 31) },
    );

    // Nothing more will arrive: a sentinel in every account, heard live and delivered by each webhook.
    const sentinelTickets = await Promise.all(
      tenants.map(async (tenant) => (await tenant.admin.request('mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id contact { id } } }', { input: { contact: { phone: '5511911118888' }, body: 'sentinel', channelId: tenant.channelId } })).ingestMessage),
    );
    const sentinels = sentinelTickets.map((ticket: { id: string }) => ticket.id);
    const sentinelContacts = sentinelTickets.map((ticket: { contact: { id: string } }) => ticket.contact.id);
    for (const [i, tenant] of tenants.entries()) {
      for (const deadline = Date.now() + 10_000; !tenant.heard.some((event) => event.ticketId === sentinels[i]); ) {
        if (Date.now() > deadline) throw new Error(`account ${i} never heard its sentinel`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await tenant.receiver.until((all) => all.some((request) => request.body.includes(sentinels[i]!)));
    }
    for (const [i, tenant] of tenants.entries()) {
      const own = new Set([...tenant.tickets, sentinels[i]!]);
      const heard = tenant.heard.filter((event) => event.phone !== WARMUP_PHONE);
      expect(heard.length, `account ${i} heard nothing: the check would be empty`).toBeGreaterThan(0);
      for (const event of heard) expect(own.has(event.ticketId), `account ${i} heard ${event.ticketId}`).toBe(true);
      const delivered = tenant.receiver.received.map((request) => JSON.parse(request.body) as { accountId: string; data: { ticket?: { id: string }; contact?: { id: string } } });
      expect(delivered.length).toBeGreaterThan(0);
      const accountIds = new Set(delivered.map((event) => event.accountId));
      expect(accountIds.size, `account ${i}'s webhook got events of ${[...accountIds].join(', ')}`).toBe(1);
      for (const event of delivered) if (event.data.ticket) expect(own.has(event.data.ticket.id), `account ${i}'s webhook got ticket ${event.data.ticket.id}`).toBe(true);
      for (const event of delivered) if (event.data.contact) expect(tenant.contacts.has(event.data.contact.id) || event.data.contact.id === sentinelContacts[i], `account ${i}'s webhook got contact ${event.data.contact.id}`).toBe(true);
    }
    // The plugin's handler noted each account's latest ticket under one kind and key: three records, each its own.
    const latestNotes = () => Promise.all(tenants.map((tenant) => noteOf(app.url, tenant.accountId, 'latest', 'ticket')));
    for (const deadline = Date.now() + 10_000; JSON.stringify(await latestNotes()) !== JSON.stringify(sentinels) && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const latest = await latestNotes();
    expect(latest).toEqual(sentinels);
    expect(new Set(latest).size).toBe(tenants.length);
  });
});

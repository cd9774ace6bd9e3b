import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeskgraph } from '../server.js';
import { anotherAccount, hostSignedToken, platformHost } from './helpers/accounts.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { CHATWOOT_ACCOUNT, CHATWOOT_SECRET, CHATWOOT_TOKEN, contactEvent, deliverToBridge, messageCreated, statusChanged, type ChatwootPerson } from './helpers/chatwoot.js';
import { prepareDatabase, tablesOf } from './helpers/database.js';
import type { GqlClient } from './helpers/gql.js';
import { startReceiver, type Received } from './helpers/receiver.js';
import { multipart, pdf } from './helpers/uploads.js';

const TICKET = `query($id: ID!) { ticket(id: $id) { id status closedBy channel { id } contact { id name phone externalId }
  messages(first: 10) { edges { node { body kind direction externalId attachments { url mime name } } } } } }`;
const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id } }';
const SEND = 'mutation($id: ID!, $body: String!) { sendMessage(ticketId: $id, body: $body) { id } }';
const NOTE = 'mutation($id: ID!, $body: String!) { addNote(ticketId: $id, body: $body) { id } }';

const MAIN_INBOX = 11;
const SALES_INBOX = 12;
const bodyOf = (request: Received) => JSON.parse(request.body) as Record<string, unknown>;
let nextId = 1000;
const person = (name: string, phone: string | null): ChatwootPerson => ({ id: ++nextId, name, phone });

describe('chatwoot bridge', () => {
  let app: TestApp;
  let chatwoot: Awaited<ReturnType<typeof startReceiver>>;
  let salesChannel: string;

  beforeAll(async () => {
    chatwoot = await startReceiver();
    app = await startTestApp({
      plugins: ['chatwoot'],
      pluginConfig: {
        chatwoot: {
          baseUrl: `${chatwoot.url}/`,
          apiAccessToken: CHATWOOT_TOKEN,
          accountId: String(CHATWOOT_ACCOUNT),
          webhookSecret: CHATWOOT_SECRET,
          // As the environment gives it: a JSON string. Channel 2 is created below.
          inboxes: JSON.stringify({ [MAIN_INBOX]: encodeGlobalID('Channel', 1), [SALES_INBOX]: encodeGlobalID('Channel', 2) }),
        },
      },
      relay: { maxAttempts: 4, retryBaseMs: 20, retryMaxMs: 60, pollMs: 50 },
    });
    const { createChannel } = await app.admin.request('mutation { createChannel(input: { name: "Sales WhatsApp", kind: WHATSAPP }) { id } }');
    salesChannel = createChannel.id;
    expect(salesChannel).toBe(encodeGlobalID('Channel', 2));
    await app.admin.request('mutation { setMyStatus(status: ONLINE) { id } }');
  });
  afterAll(async () => {
    await app.stop();
    await chatwoot.close();
  });

  /** A contact writes in Chatwoot and an ADMIN takes the ticket, ready to answer. */
  async function openConversation(conversationId: number) {
    const contact = person('Carla', `+55 11 9${String(conversationId).padStart(8, '0')}`);
    const { body } = await deliverToBridge(app, messageCreated({ id: ++nextId, conversationId, contact, content: 'hello from Chatwoot' }));
    await app.admin.request(ACCEPT, { id: body['ticketId'] });
    return body['ticketId'] as string;
  }

  it('hands an incoming message over once: contact, ticket and message, even when Chatwoot delivers it twice', async () => {
    const contact = person('Maria Souza', '+5511987650001');
    const payload = messageCreated({ id: 501, conversationId: 41, contact, content: 'Meu pedido não chegou' });
    const first = await deliverToBridge(app, payload);
    expect(first).toEqual({ status: 200, body: { done: 'ingested', ticketId: expect.any(String), ticketStatus: 'WAITING', conversationId: 41 } });
    await app.running.relay.settled(); // its cursor writes are not the change under test
    const stored = await app.snapshot();

    // The redelivery (here with the secret in the header instead) is answered alike and changes no row.
    const again = await deliverToBridge(app, payload, { secret: null, header: CHATWOOT_SECRET });
    expect(again).toEqual(first);
    await app.running.relay.settled(); // its cursor writes are not the change under test
    expect(await app.snapshot()).toBe(stored);

    const { ticket } = await app.admin.request(TICKET, { id: first.body['ticketId'] });
    expect(ticket).toMatchObject({ status: 'WAITING', channel: { id: encodeGlobalID('Channel', 1) } });
    expect(ticket.contact).toMatchObject({ name: 'Maria Souza', phone: '5511987650001', externalId: `chatwoot:${CHATWOOT_ACCOUNT}:contact:${contact.id}` });
    expect(ticket.messages.edges.map((e: any) => e.node)).toEqual([
      { body: 'Meu pedido não chegou', kind: 'TEXT', direction: 'IN', externalId: `chatwoot:${CHATWOOT_ACCOUNT}:501`, attachments: [] },
    ]);
    const tables = JSON.parse(stored) as Record<string, string[]>;
    expect(tables['messages']!.filter((row) => row.includes(`chatwoot:${CHATWOOT_ACCOUNT}:501`))).toHaveLength(1);
    expect(tables['contacts']!.filter((row) => row.includes('5511987650001'))).toHaveLength(1);
  });

  it('sends a mapped inbox to its channel, files as attachments and other links as text; an unmapped inbox is ignored', async () => {
    const contact = person('João', '+5511987650002');
    const withFiles = messageCreated({
      id: 502, conversationId: 42, inboxId: SALES_INBOX, contact, content: 'Segue a foto',
      attachments: [
        { file_type: 'image', data_url: 'https://chat.acme.test/rails/active_storage/blobs/redirect/abc/foto%201.png' },
        { file_type: 'location', data_url: 'https://maps.google.com/?q=-23.5,-46.6', fallback_title: 'Av. Paulista' },
      ],
    });
    const { body } = await deliverToBridge(app, withFiles);
    const { ticket } = await app.admin.request(TICKET, { id: body['ticketId'] });
    expect(ticket.channel.id).toBe(salesChannel);
    expect(ticket.messages.edges[0].node).toMatchObject({
      kind: 'IMAGE', body: 'Segue a foto\nAv. Paulista: https://maps.google.com/?q=-23.5,-46.6',
      attachments: [{ url: 'https://chat.acme.test/rails/active_storage/blobs/redirect/abc/foto%201.png', mime: 'image/png', name: 'foto 1.png' }],
    });

    await app.running.relay.settled(); // its cursor writes are not the change under test
    const before = await app.snapshot();
    const elsewhere = await deliverToBridge(app, messageCreated({ id: 503, conversationId: 43, inboxId: 99, contact, content: 'other inbox' }));
    expect(elsewhere).toEqual({ status: 200, body: { ignored: 'inbox 99 is not in CHATWOOT_INBOXES' } });
    await app.running.relay.settled(); // its cursor writes are not the change under test
    expect(await app.snapshot()).toBe(before);
  });

  it('refuses a bad or missing secret with 401 and stores nothing', async () => {
    await app.running.relay.settled(); // its cursor writes are not the change under test
    const before = await app.snapshot();
    const payload = messageCreated({ id: 504, conversationId: 44, contact: person('Intruso', '+5511987650003'), content: 'forged' });
    for (const options of [{ secret: 'wrong-secret-wrong-secret' }, { secret: null }, { secret: '' }, { secret: null, header: 'wrong' }, { secret: `${CHATWOOT_SECRET}x` }]) {
      const response = await deliverToBridge(app, payload, options);
      expect(response, JSON.stringify(options)).toEqual({ status: 401, body: { error: 'Bad or missing webhook secret' } });
    }
    expect((await deliverToBridge(app, 'not json', { secret: 'wrong-secret-wrong-secret' })).status).toBe(401);
    await app.running.relay.settled(); // its cursor writes are not the change under test
    expect(await app.snapshot()).toBe(before);
  });

  it('ignores what is not a contact writing, refuses a contact without a phone (202), rejects malformed payloads (400)', async () => {
    await app.running.relay.settled(); // its cursor writes are not the change under test
    const before = await app.snapshot();
    const contact = person('Ana', '+5511987650004');
    const cases: Array<[unknown, number, Record<string, unknown>]> = [
      [messageCreated({ id: 505, conversationId: 45, contact, content: 'our own reply, echoed', messageType: 'outgoing' }), 200, { ignored: 'outgoing messages are not the contact\'s' }],
      [messageCreated({ id: 506, conversationId: 45, contact, content: 'Conversation was resolved', messageType: 'activity' }), 200, { ignored: 'activity messages are not the contact\'s' }],
      [messageCreated({ id: 507, conversationId: 45, contact, content: 'menu', messageType: 'template' }), 200, { ignored: 'template messages are not the contact\'s' }],
      [messageCreated({ id: 508, conversationId: 45, contact, content: 'note', private: true }), 200, { ignored: 'private notes stay in Chatwoot' }],
      [messageCreated({ id: 509, conversationId: 46, contact: person('Visitor', null), content: 'hi from the widget' }), 202, { refused: 'the contact has no phone number; Deskgraph contacts are keyed by phone' }],
      [{ ...messageCreated({ id: 510, conversationId: 45, contact, content: 'x' }), account: { id: 8, name: 'Other' } }, 200, { ignored: 'Chatwoot account 8 is not bridged here' }],
      [statusChanged({ id: 45, status: 'resolved', contact }), 200, { ignored: 'conversation 45 has no ticket' }],
      [{ event: 'conversation_created', id: 45 }, 200, { ignored: 'a ticket opens with the contact\'s first incoming message' }],
      [{ event: 'webwidget_triggered', id: 1 }, 200, { ignored: 'event webwidget_triggered is not bridged' }],
      [{ event: 'message_created', id: 511 }, 400, { error: expect.stringMatching(/^Not a message_created payload: .*conversation/) }],
      [{ hello: 'world' }, 400, { error: expect.stringMatching(/^Not a Chatwoot webhook payload: event/) }],
      ['{"event": ', 400, { error: 'The body is not JSON' }],
    ];
    for (const [payload, status, body] of cases) expect(await deliverToBridge(app, payload), JSON.stringify(payload).slice(0, 80)).toEqual({ status, body });
    await app.running.relay.settled(); // its cursor writes are not the change under test
    expect(await app.snapshot()).toBe(before);
  });

  it('sends an agent\'s reply to the Chatwoot conversation with the access token, once', async () => {
    const ticketId = await openConversation(51);
    await app.admin.request(SEND, { id: ticketId, body: 'Olá! Já verifico.' });
    const [request] = await chatwoot.until((all) => all.some((r) => r.path.includes('/conversations/51/')));
    expect(request).toMatchObject({ method: 'POST', path: `/api/v1/accounts/${CHATWOOT_ACCOUNT}/conversations/51/messages` });
    expect(request!.headers['api_access_token']).toBe(CHATWOOT_TOKEN);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(bodyOf(request!)).toEqual({ content: 'Olá! Já verifico.', message_type: 'outgoing', private: false });
    await app.running.relay.settled();
    expect(chatwoot.received.filter((r) => r.path.includes('/conversations/51/'))).toHaveLength(1);
  });

  it('sends files an agent uploaded as Chatwoot attachments (multipart attachments[]), with the text', async () => {
    const ticketId = await openConversation(57);
    const contract = pdf(12_000);
    const sent = await multipart(app, app.adminToken, 'mutation($id: ID!, $files: [Upload!]) { sendMessage(ticketId: $id, body: "Segue o contrato", attachments: $files) { id } }', { id: ticketId }, [
      { name: 'contrato.pdf', bytes: contract, type: 'application/pdf' },
    ]);
    expect(sent.errors).toBeUndefined();
    const request = (await chatwoot.until((all) => all.some((r) => r.path.includes('/conversations/57/')))).find((r) => r.path.includes('/conversations/57/'));
    expect(request).toMatchObject({ method: 'POST', path: `/api/v1/accounts/${CHATWOOT_ACCOUNT}/conversations/57/messages` });
    expect(request!.headers['api_access_token']).toBe(CHATWOOT_TOKEN);
    expect(request!.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = await new Response(new Uint8Array(request!.raw), { headers: { 'content-type': request!.headers['content-type']! } }).formData();
    expect({ content: form.get('content'), message_type: form.get('message_type'), private: form.get('private') }).toEqual({ content: 'Segue o contrato', message_type: 'outgoing', private: 'false' });
    const files = form.getAll('attachments[]') as File[];
    expect(files.map((file) => ({ name: file.name, type: file.type }))).toEqual([{ name: 'contrato.pdf', type: 'application/pdf' }]);
    expect(new Uint8Array(await files[0]!.arrayBuffer())).toEqual(contract);
    await app.running.relay.settled();
    expect(chatwoot.received.filter((r) => r.path.includes('/conversations/57/'))).toHaveLength(1);
  });

  it('keeps internal notes in Deskgraph, and sends nothing for tickets from other channels', async () => {
    const ticketId = await openConversation(52);
    await app.admin.request(NOTE, { id: ticketId, body: 'cliente VIP, cuidado' });
    const { ingestMessage } = await app.admin.request('mutation { ingestMessage(input: { contact: { phone: "5511912340000" }, body: "via another channel" }) { id } }');
    await app.admin.request(ACCEPT, { id: ingestMessage.id });
    await app.admin.request(SEND, { id: ingestMessage.id, body: 'not for Chatwoot' });
    await app.admin.request(SEND, { id: ticketId, body: 'Resolvido!' });
    // Events reach the bridge in order: once the later reply arrived, the note and the other ticket were passed over.
    await chatwoot.until((all) => all.some((r) => r.path.includes('/conversations/52/')));
    await app.running.relay.settled();
    const sent = chatwoot.received.filter((r) => r.path.includes('/conversations/52/')).map((r) => bodyOf(r)['content']);
    expect(sent).toEqual(['Resolvido!']);
    expect(chatwoot.received.some((r) => r.body.includes('cliente VIP') || r.body.includes('not for Chatwoot'))).toBe(false);
  });

  it('retries a reply Chatwoot answered 500 until it takes it', async () => {
    const ticketId = await openConversation(53);
    const stats = () => app.running.relay.stats('plugin:chatwoot')!;
    const failedBefore = stats().failedAttempts;
    chatwoot.answerNext(500);
    await app.admin.request(SEND, { id: ticketId, body: 'Tentando de novo' });
    await chatwoot.until((all) => all.filter((r) => r.path.includes('/conversations/53/')).length >= 2);
    await app.running.relay.settled();
    const tries = chatwoot.received.filter((r) => r.path.includes('/conversations/53/'));
    expect(tries).toHaveLength(2);
    expect(tries.map((r) => r.body)).toEqual(Array(2).fill(JSON.stringify({ content: 'Tentando de novo', message_type: 'outgoing', private: false })));
    expect(stats()).toMatchObject({ failedAttempts: failedBefore + 1, setAside: 0 });
  });

  it('sets a reply aside at once when Chatwoot answers 404 (the conversation is gone)', async () => {
    const ticketId = await openConversation(54);
    const stats = () => app.running.relay.stats('plugin:chatwoot')!;
    const before = { ...stats() };
    chatwoot.answerNext(404);
    await app.admin.request(SEND, { id: ticketId, body: 'Ninguém do outro lado' });
    await chatwoot.until((all) => all.some((r) => r.path.includes('/conversations/54/')));
    await app.running.relay.settled();
    expect(chatwoot.received.filter((r) => r.path.includes('/conversations/54/'))).toHaveLength(1);
    expect(stats()).toMatchObject({ failedAttempts: before.failedAttempts + 1, setAside: before.setAside + 1 });
  });

  it('resolves the Chatwoot conversation when an agent closes the ticket, and not when Chatwoot closed it', async () => {
    const ticketId = await openConversation(55);
    await app.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticketId });
    const request = (await chatwoot.until((all) => all.some((r) => r.path.includes('/conversations/55/toggle_status')))).find((r) => r.path.includes('/conversations/55/'));
    expect(request).toMatchObject({ method: 'POST', path: `/api/v1/accounts/${CHATWOOT_ACCOUNT}/conversations/55/toggle_status` });
    expect(request!.headers['api_access_token']).toBe(CHATWOOT_TOKEN);
    expect(bodyOf(request!)).toEqual({ status: 'resolved' });

    const contact = person('Tina', '+5511987650007');
    const waiting = await deliverToBridge(app, messageCreated({ id: ++nextId, conversationId: 56, contact, content: 'alô' }));
    await deliverToBridge(app, statusChanged({ id: 56, status: 'resolved', contact }));
    expect((await app.admin.request(TICKET, { id: waiting.body['ticketId'] })).ticket.status).toBe('CLOSED');
    await app.running.relay.settled();
    expect(chatwoot.received.some((r) => r.path.includes('/conversations/56/'))).toBe(false);
  });

  it('resolved in Chatwoot: a WAITING ticket is cancelled (closed by CONTACT), a taken one stays with its agent', async () => {
    const contact = person('Pedro', '+5511987650005');
    const waiting = await deliverToBridge(app, messageCreated({ id: 520, conversationId: 61, contact, content: 'alguém?' }));
    const resolved = await deliverToBridge(app, statusChanged({ id: 61, status: 'resolved', contact }));
    expect(resolved).toEqual({ status: 200, body: { done: 'ticket cancelled', ticketId: waiting.body['ticketId'], conversationId: 61 } });
    expect((await app.admin.request(TICKET, { id: waiting.body['ticketId'] })).ticket).toMatchObject({ status: 'CLOSED', closedBy: 'CONTACT' });
    expect((await deliverToBridge(app, statusChanged({ id: 61, status: 'resolved', contact }))).body).toEqual({ ignored: `ticket ${waiting.body['ticketId']} is CLOSED: its agent closes it` });

    const taken = await openConversation(62);
    const kept = await deliverToBridge(app, statusChanged({ id: 62, status: 'resolved', contact }));
    expect(kept.body).toEqual({ ignored: `ticket ${taken} is OPEN: its agent closes it` });
    expect((await deliverToBridge(app, statusChanged({ id: 62, status: 'snoozed', contact }))).body).toEqual({ ignored: 'status snoozed changes nothing in Deskgraph' });
    expect((await app.admin.request(TICKET, { id: taken })).ticket.status).toBe('OPEN');
  });

  it('records contacts from contact events and uses the phone they gave when a message lacks one', async () => {
    const contact = person('Lúcia', '+5511987650006');
    expect(await deliverToBridge(app, contactEvent('contact_created', { ...contact, phone: null }))).toEqual({ status: 200, body: { done: 'contact recorded', chatwootContactId: contact.id, contactId: null } });
    expect((await deliverToBridge(app, contactEvent('contact_updated', contact))).body).toMatchObject({ done: 'contact recorded' });
    // An older Chatwoot's message payload: the sender and the conversation's contact carry no phone.
    const payload = messageCreated({ id: 530, conversationId: 71, contact: { ...contact, phone: null }, content: 'sem telefone aqui' });
    const { status, body } = await deliverToBridge(app, payload);
    expect(status).toBe(200);
    const { ticket } = await app.admin.request(TICKET, { id: body['ticketId'] });
    expect(ticket.contact).toMatchObject({ phone: '5511987650006', name: 'Lúcia' });
    expect((await deliverToBridge(app, contactEvent('contact_updated', contact))).body).toEqual({ done: 'contact recorded', chatwootContactId: contact.id, contactId: ticket.contact.id });
  });

  it('forgets what Chatwoot said about a contact an ADMIN erased, and their next message starts a new contact', async () => {
    const contact = person('Sigrid Apagada', '+5511987650077');
    await deliverToBridge(app, contactEvent('contact_created', contact));
    const { body } = await deliverToBridge(app, messageCreated({ id: 540, conversationId: 72, contact, content: 'please forget me' }));
    const { ticket } = await app.admin.request(TICKET, { id: body['ticketId'] });
    await app.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticket.id });
    await app.running.relay.settled();
    const records = async () => JSON.stringify((await tablesOf(app.config.databaseUrl))['plugin_records']);
    expect(await records()).toContain('Sigrid Apagada');

    await app.admin.request('mutation($id: ID!) { eraseContact(id: $id) { id } }', { id: ticket.contact.id });
    await app.running.relay.settled();
    expect(await records()).not.toContain('Sigrid Apagada');
    expect(await records()).not.toContain('5511987650077');
    // The contact link went too: a later message opens a new contact, not the erased one.
    const { body: next } = await deliverToBridge(app, messageCreated({ id: 541, conversationId: 73, contact, content: 'hello again' }));
    const { ticket: later } = await app.admin.request(TICKET, { id: next['ticketId'] });
    expect(later.contact.id).not.toBe(ticket.contact.id);
  });
});

describe('chatwoot bridge start-up', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
  const start = async (overrides: Parameters<typeof testConfig>[1]) => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-chatwoot-'));
    dirs.push(dir);
    await prepareDatabase(dir);
    return startDeskgraph(testConfig(dir, { plugins: ['chatwoot'], ...overrides }), { port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
  };
  const good = { baseUrl: 'https://chat.acme.test', apiAccessToken: CHATWOOT_TOKEN, accountId: 7, webhookSecret: CHATWOOT_SECRET };

  it('stops with a clear message naming chatwoot and the field', async () => {
    await expect(start({ env: {} })).rejects.toThrow(/^Plugin "chatwoot" has invalid config: baseUrl: .*apiAccessToken: .*accountId: .*webhookSecret: /);
    await expect(start({ pluginConfig: { chatwoot: { ...good, baseUrl: 'ftp://chat.acme.test' } } })).rejects.toThrow('Plugin "chatwoot" has invalid config: baseUrl: an http(s) URL');
    await expect(start({ pluginConfig: { chatwoot: { ...good, webhookSecret: 'short' } } })).rejects.toThrow('Plugin "chatwoot" has invalid config: webhookSecret: at least 16 characters');
    await expect(start({ pluginConfig: { chatwoot: { ...good, accountId: 'acme' } } })).rejects.toThrow(/Plugin "chatwoot" has invalid config: accountId: /);
    await expect(start({ pluginConfig: { chatwoot: { ...good, inboxes: '{"11": "Channel:1"}' } } })).rejects.toThrow(/Plugin "chatwoot" has invalid config: inboxes\.11: not a Channel id/);
    await expect(start({ pluginConfig: { chatwoot: { ...good, inboxes: '{11: oops' } } })).rejects.toThrow(/Plugin "chatwoot" has invalid config: inboxes: /);
  });

  it('reads CHATWOOT_* variables, the inbox map as JSON', async () => {
    const running = await start({
      env: {
        CHATWOOT_BASE_URL: 'https://chat.acme.test/', CHATWOOT_API_ACCESS_TOKEN: CHATWOOT_TOKEN, CHATWOOT_ACCOUNT_ID: '7', CHATWOOT_WEBHOOK_SECRET: CHATWOOT_SECRET,
        CHATWOOT_INBOXES: JSON.stringify({ 11: encodeGlobalID('Channel', 1) }), CHATWOOT_DESKGRAPH_ACCOUNT_ID: '1',
      },
    });
    try {
      expect(running.services.plugins.get('chatwoot')?.config).toEqual({
        baseUrl: 'https://chat.acme.test', apiAccessToken: CHATWOOT_TOKEN, accountId: 7, webhookSecret: CHATWOOT_SECRET,
        inboxes: { 11: encodeGlobalID('Channel', 1) }, deskgraphAccountId: 1, timeoutMs: 10_000,
      });
    } finally {
      await running.stop();
    }
  });
});

describe('chatwoot bridge of a suspended account', () => {
  let app: TestApp;
  let chatwoot: Awaited<ReturnType<typeof startReceiver>>;
  let bridged: { accountId: string; admin: GqlClient };
  let platform: GqlClient;

  beforeAll(async () => {
    chatwoot = await startReceiver();
    const host = await platformHost();
    // The bridge serves an account the platform made: made first, then the server starts with the bridge on it.
    const base = await startTestApp(host.settings);
    const accountId = (await anotherAccount(base, host, 'Bridged Co')).accountId;
    await base.running.stop();
    app = await startTestApp(
      {
        ...host.settings,
        plugins: ['chatwoot'],
        pluginConfig: { chatwoot: { baseUrl: chatwoot.url, apiAccessToken: CHATWOOT_TOKEN, accountId: String(CHATWOOT_ACCOUNT), webhookSecret: CHATWOOT_SECRET, deskgraphAccountId: accountId } },
        relay: { maxAttempts: 4, retryBaseMs: 20, retryMaxMs: 60, pollMs: 50 },
      },
      base.dir,
    );
    bridged = { accountId, admin: app.as(await hostSignedToken(host, accountId, 'admin')) };
    platform = app.as(host.token);
    await bridged.admin.request('mutation { setMyStatus(status: ONLINE) { id } }');
  });
  afterAll(async () => {
    await app.stop();
    await chatwoot.close();
    rmSync(app.dir, { recursive: true, force: true });
  });

  it('posts no reply committed before the suspension, and posts again after resume', async () => {
    const contact = person('Sofia', '+55 11 977776666');
    const { body } = await deliverToBridge(app, messageCreated({ id: ++nextId, conversationId: 91, contact, content: 'oi' }));
    expect(body['done']).toBe('ingested');
    const ticketId = body['ticketId'] as string;
    await bridged.admin.request(ACCEPT, { id: ticketId });
    const posted = () => chatwoot.received.filter((r) => r.path.endsWith('/conversations/91/messages')).map((r) => bodyOf(r)['content']);
    const stats = () => app.running.relay.stats('plugin:chatwoot')!;
    const skippedBefore = stats().skippedSuspended;

    // Chatwoot holds its answer to the first reply, so the bridge's cursor waits there while the second is committed.
    const release = chatwoot.holdAnswers();
    try {
      await bridged.admin.request(SEND, { id: ticketId, body: 'first, sent before the suspension' });
      await chatwoot.until(() => posted().length === 1);
      await bridged.admin.request(SEND, { id: ticketId, body: 'second, committed before the suspension' });
      await platform.request('mutation($id: ID!) { suspendAccount(id: $id) { id } }', { id: bridged.accountId });
    } finally {
      release();
    }
    for (const deadline = Date.now() + 10_000; stats().skippedSuspended === skippedBefore; ) {
      if (Date.now() > deadline) throw new Error('the bridge never passed the suspended account\'s reply');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await app.running.relay.settled();
    expect(posted()).toEqual(['first, sent before the suspension']);

    await platform.request('mutation($id: ID!) { resumeAccount(id: $id) { id } }', { id: bridged.accountId });
    await bridged.admin.request(SEND, { id: ticketId, body: 'third, after the resume' });
    await chatwoot.until(() => posted().length === 2);
    expect(posted()).toEqual(['first, sent before the suspension', 'third, after the resume']);
  });
});

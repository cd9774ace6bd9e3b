import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { tablesOf } from './helpers/database.js';
import { createAgent, createSector, INGEST, type Agent } from './helpers/fixtures.js';
import { startReceiver } from './helpers/receiver.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { multipart, pdf } from './helpers/uploads.js';

// Brazil's LGPD and Europe's GDPR through the endpoint: an ADMIN erases a contact and nothing of them
// is readable anywhere afterwards (rows, search, timeline, transcript, files, webhook bodies), while
// the day's monitoring figures stay as they were; the export hands over everything stored.

const fast = { allowPrivateUrls: true, maxAttempts: 3, retryBaseMs: 30, retryMaxMs: 100, pollMs: 20, timeoutMs: 2000 };
const SECRETS = ['Mariana Sigilosa', '5511955554444', 'wa-contact-777', 'wa-msg-1', 'cpf secreto 123', 'contrato da Mariana', 'mariana@sigilo.test', '98765432100', 'Rua Sigilo', 'atendimento sigiloso'];
const ERASE = 'mutation($id: ID!) { eraseContact(id: $id) { id name phone email document notes externalId erasedAt tags } }';
const EXPORT = 'query($id: ID!) { exportContact(id: $id) }';
const MONITORING = `{ monitoring { ticketsInQueue ticketsInService ratingsToday csat averageFirstResponseSeconds averageHandlingSeconds averageResponseSeconds
  maxFirstResponseSeconds today { abandoned attended closed lost opened } } }`;

let app: TestApp;
let ana: Agent;
let sector: string;
let ticketId: string;
let contactId: string;
let fileUrl: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

/** Every row of every table as one text: what a dump of the database would hand over. */
async function everyRow(): Promise<string> {
  await app.running.relay.settled();
  return JSON.stringify(await tablesOf(app.config.databaseUrl));
}

function storedFiles(): string[] {
  try {
    return readdirSync(join(app.dir, 'attachments'), { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

async function noDeliveryPending(): Promise<void> {
  for (const deadline = Date.now() + 10_000; ; ) {
    await app.running.relay.settled();
    const { webhookDeliveries } = await app.admin.request('{ webhookDeliveries(first: 100) { nodes { status } } }');
    if (!webhookDeliveries.nodes.some((d: { status: string }) => d.status === 'PENDING' || d.status === 'RETRYING')) return;
    if (Date.now() > deadline) throw new Error('webhook deliveries still pending');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function transcriptText(token: string): Promise<string> {
  const response = await fetch(new URL(`/tickets/${encodeURIComponent(ticketId)}/transcript.pdf`, app.url), { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  const parser = new PDFParse({ data: new Uint8Array(await response.arrayBuffer()) });
  const text = (await parser.getText()).text;
  await parser.destroy();
  return text;
}

beforeAll(async () => {
  app = await startTestApp({ pluginConfig: { webhooks: fast } });
  receiver = await startReceiver();
  await app.admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { secret } }', { input: { url: `${receiver.url}/hooks`, events: ['*'] } });
  sector = await createSector(app, 'Privacy');
  ana = await createAgent(app, 'Ana', [sector]);
  const { ingestMessage } = await app.admin.request(INGEST, {
    input: { contact: { phone: '5511955554444', name: 'Mariana Sigilosa', externalId: 'wa-contact-777' }, body: 'Meu cpf secreto 123 é este', externalId: 'wa-msg-1', sectorId: sector },
  });
  ticketId = ingestMessage.id;
  const { node } = await app.admin.request('query($id: ID!) { node(id: $id) { ... on Ticket { contact { id } } } }', { id: ticketId });
  contactId = node.contact.id;
  await app.admin.request('mutation($id: ID!, $input: UpdateContactInput!) { updateContact(id: $id, input: $input) { id } }', {
    id: contactId,
    input: { email: 'mariana@sigilo.test', document: '98765432100', city: 'Rua Sigilo', notes: 'Prefere atendimento sigiloso', tags: ['vip'] },
  });
  await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticketId });
  const sent = await multipart(app, ana.token, 'mutation($id: ID!, $body: String!, $files: [Upload!]) { sendMessage(ticketId: $id, body: $body, attachments: $files) { attachments { url } } }', {
    id: ticketId,
    body: 'Segue o contrato da Mariana',
  }, [{ name: 'contrato.pdf', bytes: pdf(4000), type: 'application/pdf' }]);
  expect(sent.errors).toBeUndefined();
  fileUrl = sent.data!['sendMessage'].attachments[0].url;
});
afterAll(async () => {
  await receiver.close();
  await app.stop();
});

describe('eraseContact', () => {
  it('is refused while a ticket of the contact is live, with nothing changed', async () => {
    // The webhook sender is not part of the relay's settling: a delivery it makes meanwhile is no change by the refusal.
    await noDeliveryPending();
    await expectUnchanged(app, async () => {
      const refused = await app.admin.expectCode(ERASE, { id: contactId }, 'CONFLICT');
      expect(refused.extensions).toMatchObject({ code: 'CONFLICT', reason: 'LIVE_TICKETS', ticketIds: [ticketId] });
    });
  });

  it('is ADMIN only, and an unknown contact answers NOT_FOUND, with nothing changed', async () => {
    await ana.client.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticketId });
    await app.admin.request('mutation($id: ID!) { rateTicket(ticketId: $id, rating: 5, comment: "Ana foi ótima no atendimento sigiloso") { rating } }', { id: ticketId });
    await noDeliveryPending();
    await expectUnchanged(app, async () => {
      for (const query of [ERASE, EXPORT]) {
        await ana.client.expectCode(query, { id: contactId }, 'FORBIDDEN');
        await app.admin.expectCode(query, { id: 'Q29udGFjdDo5OTk5OTk=' }, 'NOT_FOUND');
      }
    });
  });

  it('exports everything stored about the contact first', async () => {
    const { exportContact } = await app.admin.request(EXPORT, { id: contactId });
    expect(exportContact.contact).toMatchObject({ id: contactId, name: 'Mariana Sigilosa', phone: '5511955554444', email: 'mariana@sigilo.test', document: '98765432100', tags: ['vip'], erasedAt: null });
    expect(exportContact.tickets).toHaveLength(1);
    const [ticket] = exportContact.tickets;
    expect(ticket).toMatchObject({ id: ticketId, status: 'CLOSED', rating: { rating: 5, comment: 'Ana foi ótima no atendimento sigiloso' } });
    expect(ticket.messages.map((m: { body: string | null }) => m.body)).toEqual(['Meu cpf secreto 123 é este', 'Segue o contrato da Mariana']);
    expect(ticket.messages[1].attachments).toEqual([{ url: fileUrl, mime: 'application/pdf', name: 'contrato.pdf' }]);
    expect(ticket.history.map((h: { kind: string }) => h.kind)).toEqual(['CREATED', 'ACCEPTED', 'CLOSED']);
    expect(Date.parse(exportContact.exportedAt)).not.toBeNaN();
  });

  it('leaves nothing of the contact readable anywhere, while the day\'s figures stay', async () => {
    const before = await everyRow();
    // The check can fail: before the erasure every secret is stored somewhere (webhook bodies included).
    for (const secret of SECRETS) expect(before, secret).toContain(secret);
    expect(storedFiles()).toHaveLength(1);
    const figures = await app.admin.request(MONITORING);
    const transcriptBefore = await transcriptText(app.adminToken);
    expect(transcriptBefore).toContain('Mariana Sigilosa');

    const { eraseContact } = await app.admin.request(ERASE, { id: contactId });
    expect(eraseContact).toMatchObject({ id: contactId, name: null, phone: null, email: null, document: null, notes: null, externalId: null, tags: [] });
    expect(Date.parse(eraseContact.erasedAt)).not.toBeNaN();

    await noDeliveryPending();
    const after = await everyRow();
    for (const secret of SECRETS) expect(after, secret).not.toContain(secret);

    expect(storedFiles()).toEqual([]);
    expect((await fetch(new URL(fileUrl, app.url), { headers: { authorization: `Bearer ${app.adminToken}` } })).status).toBe(404);

    for (const search of ['Sigilosa', '55119555', 'cpf secreto', 'contrato da Mariana']) {
      const { contacts, closedTickets } = await app.admin.request('query($s: String!) { contacts(search: $s) { totalCount } closedTickets(search: $s) { totalCount } }', { s: search });
      expect([search, contacts.totalCount, closedTickets.totalCount]).toEqual([search, 0, 0]);
    }
    const { node } = await app.admin.request('query($id: ID!) { node(id: $id) { ... on Contact { timeline(first: 10) { edges { node { body attachments { url } } } } } } }', { id: contactId });
    expect(node.timeline.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      { body: null, attachments: [] },
      { body: null, attachments: [] },
    ]);
    const transcript = await transcriptText(app.adminToken);
    for (const secret of SECRETS) expect(transcript).not.toContain(secret);

    const { node: ticket } = await app.admin.request('query($id: ID!) { node(id: $id) { ... on Ticket { status rating { rating comment } history { kind } } } }', { id: ticketId });
    expect(ticket).toEqual({ status: 'CLOSED', rating: { rating: 5, comment: null }, history: [{ kind: 'CREATED' }, { kind: 'ACCEPTED' }, { kind: 'CLOSED' }, { kind: 'ERASED' }] });
    expect(await app.admin.request(MONITORING)).toEqual(figures);
  });

  it('tells webhooks, so receivers erase their copies too', async () => {
    const got = await receiver.until((all) => all.some((request) => JSON.parse(request.body).type === 'contact.erased'));
    const erased = got.map((request) => JSON.parse(request.body)).find((event) => event.type === 'contact.erased');
    expect(erased.data).toEqual({ contact: { id: contactId }, ticketIds: [ticketId], actor: { kind: 'USER', id: expect.any(String) } });
  });

  it('exports what is left: the tickets with their timings, nothing personal', async () => {
    const { exportContact } = await app.admin.request(EXPORT, { id: contactId });
    expect(exportContact.contact).toMatchObject({ name: null, phone: null, email: null, document: null, city: null, notes: null, externalId: null, tags: [] });
    expect(exportContact.tickets[0].messages.map((m: { body: string | null }) => m.body)).toEqual([null, null]);
    expect(exportContact.tickets[0].rating).toMatchObject({ rating: 5, comment: null });
    expect(exportContact.tickets[0].closedAt).not.toBeNull();
  });

  it('a later message from the same phone starts a new contact', async () => {
    const { ingestMessage } = await app.admin.request(INGEST, { input: { contact: { phone: '5511955554444', name: 'Someone new' }, body: 'olá', sectorId: sector } });
    const { node } = await app.admin.request('query($id: ID!) { node(id: $id) { ... on Ticket { contact { id name phone erasedAt } } } }', { id: ingestMessage.id });
    expect(node.contact).toMatchObject({ name: 'Someone new', phone: '5511955554444', erasedAt: null });
    expect(node.contact.id).not.toBe(contactId);
  });
});

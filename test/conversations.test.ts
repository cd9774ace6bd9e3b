import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { testClock } from './helpers/clock.js';
import { contactWrites, createAgent, createSector, INGEST, type Agent } from './helpers/fixtures.js';

const clock = testClock('2026-11-10T12:00:00Z');
let app: TestApp;
let sales: string;
let support: string;
let ana: Agent; // Sales
let bruno: Agent; // Support

beforeAll(async () => {
  app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 365 * 86_400 } });
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
  ana = await createAgent(app, 'Ana', [sales]);
  bruno = await createAgent(app, 'Bruno', [support]);
});
afterAll(() => app.stop());

const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id } }';
const CATEGORY = 'mutation($name: String!) { createReadyReplyCategory(name: $name) { id name replies { title } } }';
const REPLY = 'mutation($c: ID!, $t: String!, $b: String!, $s: [ID!]) { createReadyReply(categoryId: $c, title: $t, body: $b, sectorIds: $s) { id title } }';
const CATEGORIES = 'query($search: String) { readyReplyCategories(search: $search) { name replies { title body } } }';

describe('ready replies', () => {
  let greetings: string;
  it('holds category names of up to 60 and titles of up to 30 characters, unique names per account', async () => {
    greetings = (await app.admin.request(CATEGORY, { name: 'Greetings' })).createReadyReplyCategory.id;
    await app.admin.request(CATEGORY, { name: 'c'.repeat(60) });
    await app.admin.request(REPLY, { c: greetings, t: 't'.repeat(30), b: 'x' });
    const before = await app.snapshot();
    await app.admin.expectCode(CATEGORY, { name: 'c'.repeat(61) }, 'BAD_USER_INPUT', 'name');
    await app.admin.expectCode(CATEGORY, { name: 'GREETINGS' }, 'BAD_USER_INPUT', 'name');
    await app.admin.expectCode(REPLY, { c: greetings, t: 't'.repeat(31), b: 'x' }, 'BAD_USER_INPUT', 'title');
    await ana.client.expectCode(CATEGORY, { name: 'Mine' }, 'FORBIDDEN');
    await ana.client.expectCode(REPLY, { c: greetings, t: 'Mine', b: 'x' }, 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);
  });

  it('lets agents read and search the replies of their sectors, in the order an ADMIN sets', async () => {
    const hello = (await app.admin.request(REPLY, { c: greetings, t: 'Hello', b: 'Hi {{contact.name}}, I am {{agent.name}} (#{{ticket.protocol}}).' })).createReadyReply.id;
    await app.admin.request(REPLY, { c: greetings, t: 'Sales only', b: 'Our prices...', s: [sales] });
    await app.admin.request(REPLY, { c: greetings, t: 'Support only', b: 'Restart it.', s: [support] });
    const titles = async (agent: Agent, search?: string) =>
      (await agent.client.request(CATEGORIES, { search })).readyReplyCategories.flatMap((c: { replies: { title: string }[] }) => c.replies.map((r) => r.title));
    expect(await titles(ana)).toEqual(['t'.repeat(30), 'Hello', 'Sales only']);
    expect(await titles(bruno)).toEqual(['t'.repeat(30), 'Hello', 'Support only']);
    expect(await titles(ana, 'PRICES')).toEqual(['Sales only']);
    expect(await titles(ana, 'restart')).toEqual([]);

    const { readyReplyCategories } = await app.admin.request('{ readyReplyCategories { id replies { id } } }');
    const [first, second] = readyReplyCategories;
    const reordered = await app.admin.request('mutation($ids: [ID!]!) { reorderReadyReplyCategories(ids: $ids) { name } }', { ids: [second.id, first.id] });
    expect(reordered.reorderReadyReplyCategories.map((c: { name: string }) => c.name)).toEqual(['c'.repeat(60), 'Greetings']);
    const replyIds = first.replies.map((r: { id: string }) => r.id);
    const moved = await app.admin.request('mutation($c: ID!, $ids: [ID!]!) { reorderReadyReplies(categoryId: $c, ids: $ids) { title } }', { c: first.id, ids: [...replyIds].reverse() });
    expect(moved.reorderReadyReplies.map((r: { title: string }) => r.title)).toEqual(['Support only', 'Sales only', 'Hello', 't'.repeat(30)]);
    const before = await app.snapshot();
    await app.admin.expectCode('mutation($c: ID!, $ids: [ID!]!) { reorderReadyReplies(categoryId: $c, ids: $ids) { title } }', { c: first.id, ids: replyIds.slice(1) }, 'BAD_USER_INPUT', 'ids');
    expect(await app.snapshot()).toBe(before);

    // Variables are rendered for a ticket; a missing value becomes empty, an unknown variable stays.
    await app.admin.request('mutation($id: ID!, $input: UpdateReadyReplyInput!) { updateReadyReply(id: $id, input: $input) { id } }', {
      id: hello, input: { body: 'Hi {{contact.name}}, I am {{agent.name}} (#{{ticket.protocol}}) {{weather.today}}' },
    });
    const unnamed = await contactWrites(app, { phone: '5511970000001', body: 'hi', sectorId: sales });
    const named = await contactWrites(app, { phone: '5511970000002', name: 'Rosa', body: 'hi', sectorId: sales });
    const RENDER = 'query($id: ID!, $t: ID!) { renderReadyReply(id: $id, ticketId: $t) }';
    expect((await ana.client.request(RENDER, { id: hello, t: named.id })).renderReadyReply).toBe(`Hi Rosa, I am Ana (#${named.protocol}) {{weather.today}}`);
    expect((await ana.client.request(RENDER, { id: hello, t: unnamed.id })).renderReadyReply).toBe(`Hi , I am Ana (#${unnamed.protocol}) {{weather.today}}`);
    await bruno.client.expectCode(RENDER, { id: hello, t: named.id }, 'NOT_FOUND');
  });

  it('never deletes a category with replies silently', async () => {
    const DELETE = 'mutation($id: ID!, $confirm: Boolean) { deleteReadyReplyCategory(id: $id, confirm: $confirm) }';
    const before = await app.snapshot();
    const refused = await app.admin.expectCode(DELETE, { id: greetings }, 'CONFLICT');
    expect(refused.extensions?.['replies']).toBe(4);
    expect(await app.snapshot()).toBe(before);
    expect((await app.admin.request(DELETE, { id: greetings, confirm: true })).deleteReadyReplyCategory).toBe(true);
    expect((await app.admin.request('{ readyReplyCategories { name } }')).readyReplyCategories).toEqual([{ name: 'c'.repeat(60) }]);
  });
});

describe('the 24-hour customer-service window', () => {
  it('lets the agent answer at 23:59 and refuses free text at 24:01, where a template still goes', async () => {
    const { createChannel } = await app.admin.request('mutation { createChannel(input: { name: "WA", kind: WHATSAPP }) { id } }');
    clock.set('2026-11-11T10:00:00Z');
    const ticket = await contactWrites(app, { phone: '5511971000001', body: 'hi', sectorId: sales, channelId: createChannel.id });
    await ana.client.request(ACCEPT, { id: ticket.id });
    const SEND = 'mutation($id: ID!, $body: String!) { sendMessage(ticketId: $id, body: $body) { id } }';
    clock.set('2026-11-12T09:59:00Z');
    await ana.client.request(SEND, { id: ticket.id, body: 'at 23:59' });
    const STATE = 'query($id: ID!) { ticket(id: $id) { contact { id state { windowOpen windowClosesAt readOnly servedBy { name } } } } }';
    expect((await ana.client.request(STATE, { id: ticket.id })).ticket.contact.state).toEqual({ windowOpen: true, windowClosesAt: '2026-11-12T10:00:00.000Z', readOnly: false, servedBy: { name: 'Ana' } });
    clock.set('2026-11-12T10:01:00Z');
    const before = await app.snapshot();
    const refused = await ana.client.expectCode(SEND, { id: ticket.id, body: 'at 24:01' }, 'WINDOW_EXPIRED');
    expect(refused.extensions?.['lastInboundAt']).toBe('2026-11-11T10:00:00.000Z');
    expect(await app.snapshot()).toBe(before);
    const state = (await bruno.client.request('query($id: ID!) { contacts(id: $id) { edges { node { state { windowOpen readOnly servedBy { name } } } } } }', {
      id: (await ana.client.request(STATE, { id: ticket.id })).ticket.contact.id,
    })).contacts;
    expect(state.edges).toEqual([]); // Bruno sees no ticket of this contact
    const { createTemplate } = await app.admin.request('mutation { createTemplate(input: { name: "follow_up", language: "en", body: "Hello again, {{1}}!" }) { id } }');
    const contactId = (await ana.client.request(STATE, { id: ticket.id })).ticket.contact.id;
    const sent = await ana.client.request('mutation($c: ID!, $t: ID!, $ch: ID) { sendTemplateMessage(contactId: $c, templateId: $t, variables: ["friend"], channelId: $ch) { message { body } } }', { c: contactId, t: createTemplate.id, ch: createChannel.id });
    expect(sent.sendTemplateMessage.message.body).toBe('Hello again, friend!');
  });
});

describe('contacts', () => {
  it('lists, searches and filters the contacts I may see, newest interaction first', async () => {
    clock.set('2026-11-13T12:00:00Z');
    await contactWrites(app, { phone: '5521972000001', name: 'Helena Prado', body: 'sales', sectorId: sales });
    clock.advance(60_000);
    await contactWrites(app, { phone: '5521972000002', name: 'Igor Prado', body: 'support', sectorId: support });
    const LIST = 'query($search: String, $name: String, $phone: String, $email: String, $city: String) { contacts(search: $search, name: $name, phone: $phone, email: $email, city: $city, first: 50) { totalCount edges { node { name phone } } } }';
    const names = async (agent: Agent | null, variables: Record<string, unknown>) => {
      const client = agent ? agent.client : app.admin;
      const { contacts } = await client.request(LIST, variables);
      expect(contacts.totalCount).toBe(contacts.edges.length);
      return contacts.edges.map((e: { node: { name: string } }) => e.node.name);
    };
    expect((await names(null, { search: 'Prado' }))).toEqual(['Igor Prado', 'Helena Prado']);
    expect(await names(ana, { search: 'Prado' })).toEqual(['Helena Prado']);
    expect(await names(null, { phone: '+55 21 97200-0002' })).toEqual(['Igor Prado']);
    const { contacts } = await app.admin.request(LIST, { name: 'helena' });
    const helenaId = (await app.admin.request('query { contacts(name: "helena") { edges { node { id } } } }')).contacts.edges[0].node.id;
    await app.admin.request('mutation($id: ID!) { updateContact(id: $id, input: { email: "helena@example.com", city: "Niterói" }) { id } }', { id: helenaId });
    expect(await names(null, { email: 'HELENA@example.com' })).toEqual(['Helena Prado']);
    expect(await names(null, { city: 'niter' })).toEqual(['Helena Prado']);
    expect(contacts.edges).toHaveLength(1);
    const all = await createAgent(app, 'Vera', [sales], { canViewAllContacts: true });
    expect(await names(all, { search: 'Prado' })).toEqual(['Igor Prado', 'Helena Prado']);
  });

  it("merges a contact's tickets into one timeline of the last 90 days, and tells who serves them", async () => {
    clock.set('2026-06-01T12:00:00Z');
    const old = await contactWrites(app, { phone: '5531973000001', name: 'Tom', body: 'long ago', sectorId: sales });
    await app.admin.request('mutation { setMyStatus(status: ONLINE) { id } }');
    await app.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: old.id });
    clock.set('2026-11-14T12:00:00Z');
    const recent = await contactWrites(app, { phone: '5531973000001', body: 'recent one', sectorId: sales });
    await contactWrites(app, { phone: '5531973000001', body: 'and more' });
    await ana.client.request(ACCEPT, { id: recent.id });
    const query = 'query($id: ID!, $days: Int) { ticket(id: $id) { contact { timeline(days: $days) { totalCount edges { node { body } } } state { readOnly servedBy { name } } } } }';
    const mine = (await ana.client.request(query, { id: recent.id })).ticket.contact;
    expect(mine.timeline.edges.map((e: { node: { body: string } }) => e.node.body)).toEqual(['and more', 'recent one']);
    expect(mine.timeline.totalCount).toBe(2);
    expect((await ana.client.request(query, { id: recent.id, days: 365 })).ticket.contact.timeline.totalCount).toBe(3);
    const carol = await createAgent(app, 'Carol', [sales]);
    expect((await carol.client.request(query, { id: recent.id })).ticket.contact.state).toEqual({ readOnly: true, servedBy: { name: 'Ana' } });
  });
});

describe('conversation history and transcripts', () => {
  it('lists closed tickets of the last 90 days by default, filtered by sector, assignee, channel and search', async () => {
    const CLOSED = `query($days: Int, $sectorId: ID, $assigneeId: ID, $channelId: ID, $search: String) {
      closedTickets(days: $days, sectorId: $sectorId, assigneeId: $assigneeId, channelId: $channelId, search: $search, first: 100) {
        totalCount edges { node { protocol closedAt } } } }`;
    const { createChannel } = await app.admin.request('mutation { createChannel(input: { name: "Mail", kind: EMAIL }) { id } }');
    const close = async (agent: Agent, writing: Parameters<typeof contactWrites>[1]) => {
      const ticket = await contactWrites(app, writing);
      await agent.client.request(ACCEPT, { id: ticket.id });
      await agent.client.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticket.id });
      return ticket.protocol;
    };
    const bySales = await close(ana, { phone: '5531976000001', name: 'Otto Klein', body: 'refund please', sectorId: sales });
    const byMail = await close(ana, { phone: '5531976000002', name: 'Lia', body: 'invoice', sectorId: sales, channelId: createChannel.id });
    const bySupport = await close(bruno, { phone: '5531976000003', name: 'Rui', body: 'broken screen', sectorId: support });
    const protocols = async (variables: Record<string, unknown>) =>
      (await app.admin.request(CLOSED, variables)).closedTickets.edges.map((edge: { node: { protocol: number } }) => edge.node.protocol).sort();
    const recent = (await app.admin.request(CLOSED, {})).closedTickets;
    const longer = (await app.admin.request(CLOSED, { days: 200 })).closedTickets;
    expect(longer.totalCount).toBe(recent.totalCount + 1); // Tom's ticket of June
    expect(recent.edges.map((edge: { node: { protocol: number } }) => edge.node.protocol)).toEqual(expect.arrayContaining([bySales, byMail, bySupport]));
    for (const edge of recent.edges) expect(new Date(edge.node.closedAt).getTime()).toBeGreaterThanOrEqual(clock.now().getTime() - 90 * 86_400_000);
    expect(await protocols({ sectorId: support })).toEqual([bySupport]);
    expect(await protocols({ assigneeId: bruno.id })).toEqual([bySupport]);
    expect(await protocols({ assigneeId: ana.id })).toEqual([bySales, byMail].sort());
    expect(await protocols({ channelId: createChannel.id })).toEqual([byMail]);
    expect(await protocols({ search: 'Otto' })).toEqual([bySales]);
    expect(await protocols({ search: 'broken' })).toEqual([bySupport]);
    expect(await protocols({ search: 'nobody-wrote-this' })).toEqual([]);
    // The visibility rule still holds under the filters: Bruno (Support) sees none of Sales'.
    expect((await bruno.client.request(CLOSED, { sectorId: sales })).closedTickets.totalCount).toBe(0);
    await app.admin.expectCode(CLOSED, { days: 0 }, 'BAD_USER_INPUT', 'days');
  });

  it('renders a PDF transcript whose text holds the conversation, for those who may see the ticket only', async () => {
    const { ingestMessage: ticket } = await app.admin.request(INGEST, {
      input: { contact: { phone: '5541974000001', name: 'Júlia Souza' }, body: 'Minha encomenda não chegou', sectorId: sales },
    });
    await app.admin.request(INGEST, { input: { contact: { phone: '5541974000001' }, kind: 'IMAGE', attachments: [{ url: 'https://cdn.example/box.jpg', mime: 'image/jpeg', name: 'box.jpg' }] } });
    await ana.client.request(ACCEPT, { id: ticket.id });
    await ana.client.request('mutation($id: ID!) { sendMessage(ticketId: $id, body: "Vou verificar agora mesmo!") { id } addNote(ticketId: $id, body: "secret note") { id } }', { id: ticket.id });
    const url = app.url.replace('/graphql', `/tickets/${encodeURIComponent(ticket.id)}/transcript.pdf`);
    const response = await fetch(url, { headers: { authorization: `Bearer ${ana.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const parser = new PDFParse({ data: new Uint8Array(await response.arrayBuffer()) });
    const { text } = await parser.getText();
    await parser.destroy();
    expect(text).toContain(`Ticket #${ticket.protocol}`);
    expect(text).toContain('Júlia Souza');
    expect(text).toContain('Minha encomenda não chegou');
    expect(text).toContain('Vou verificar agora mesmo!');
    expect(text).toContain('box.jpg');
    expect(text).not.toContain('secret note');

    const invisible = await fetch(url, { headers: { authorization: `Bearer ${bruno.token}` } });
    expect(invisible.status).toBe(404);
    expect((await invisible.json()).errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });
});

describe('templates', () => {
  it('are managed by ADMINs: placeholders without gaps, unique name per language, edited and deleted', async () => {
    const CREATE = 'mutation($input: CreateTemplateInput!) { createTemplate(input: $input) { id body variables } }';
    const { createTemplate } = await app.admin.request(CREATE, { input: { name: 'reminder', language: 'pt_BR', body: 'Olá {{1}}, seu pedido {{2}} chegou.' } });
    expect(createTemplate.variables).toBe(2);
    const before = await app.snapshot();
    await app.admin.expectCode(CREATE, { input: { name: 'gap', language: 'en', body: 'Hi {{1}} and {{3}}' } }, 'BAD_USER_INPUT', 'input.body');
    await app.admin.expectCode(CREATE, { input: { name: 'reminder', language: 'pt_BR', body: 'x' } }, 'BAD_USER_INPUT', 'input.name');
    await app.admin.expectCode(CREATE, { input: { name: 'Bad Name', language: 'en', body: 'x' } }, 'BAD_USER_INPUT', 'input.name');
    await ana.client.expectCode(CREATE, { input: { name: 'mine', language: 'en', body: 'x' } }, 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);
    const { updateTemplate } = await app.admin.request('mutation($id: ID!) { updateTemplate(id: $id, input: { name: "reminder", language: "pt_BR", body: "Oi {{1}}!" }) { variables } }', { id: createTemplate.id });
    expect(updateTemplate.variables).toBe(1);
    expect((await app.admin.request('mutation($id: ID!) { deleteTemplate(id: $id) }', { id: createTemplate.id })).deleteTemplate).toBe(true);
    await expectUnchanged(app, () => app.admin.expectCode('mutation($id: ID!) { deleteTemplate(id: $id) }', { id: createTemplate.id }, 'NOT_FOUND'));
  });
});

describe('contact filters', () => {
  it('finds a contact by document and by id, and nothing for a document nobody has', async () => {
    const ticket = await contactWrites(app, { phone: '5551975000001', name: 'Docs', body: 'x', sectorId: sales });
    const contactId = (await app.admin.request('query($id: ID!) { ticket(id: $id) { contact { id } } }', { id: ticket.id })).ticket.contact.id;
    await app.admin.request('mutation($id: ID!) { updateContact(id: $id, input: { document: "123.456.789-00" }) { id } }', { id: contactId });
    const LIST = 'query($document: String, $id: ID) { contacts(document: $document, id: $id) { totalCount edges { node { id name } } } }';
    expect((await app.admin.request(LIST, { document: '123.456.789-00' })).contacts.edges).toEqual([{ node: { id: contactId, name: 'Docs' } }]);
    expect((await app.admin.request(LIST, { id: contactId })).contacts.totalCount).toBe(1);
    expect((await app.admin.request(LIST, { document: '000' })).contacts.totalCount).toBe(0);
  });
});

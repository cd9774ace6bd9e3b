import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { expectUnchanged } from './helpers/unchanged.js';

// README sentences that had no test: each one below, through the endpoint, on a clock the test moves.

const clock = testClock('2026-12-01T12:00:00Z'); // a Tuesday
let app: TestApp;
let sales: string;
let ana: Agent;

const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id } }';
const CLOSE = 'mutation($id: ID!) { closeTicket(id: $id) { id } }';
const SEND = 'mutation($id: ID!, $body: String!) { sendMessage(ticketId: $id, body: $body) { id } }';
const CHANNEL = 'mutation($input: CreateChannelInput!) { createChannel(input: $input) { id } }';
const TICKET = 'query($id: ID!) { ticket(id: $id) { status callbackRequested outOfHours assignee { name } } }';
const week = (start: string, end: string) => ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].map((weekday) => ({ weekday, start, end }));

beforeAll(async () => {
  app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 365 * 86_400 } });
  sales = await createSector(app, 'Sales');
  ana = await createAgent(app, 'Ana', [sales]);
});
afterAll(() => app.stop());

describe('the 24-hour window on Instagram', () => {
  it('refuses free text 24 hours after the contact wrote, changing nothing; a Telegram channel has no window', async () => {
    const instagram = (await app.admin.request(CHANNEL, { input: { name: 'IG', kind: 'INSTAGRAM' } })).createChannel.id;
    const telegram = (await app.admin.request(CHANNEL, { input: { name: 'TG', kind: 'TELEGRAM' } })).createChannel.id;
    clock.set('2026-12-01T12:00:00Z');
    const onInstagram = await contactWrites(app, { phone: '5511930000001', body: 'hi', sectorId: sales, channelId: instagram });
    const onTelegram = await contactWrites(app, { phone: '5511930000002', body: 'hi', sectorId: sales, channelId: telegram });
    for (const ticket of [onInstagram, onTelegram]) await ana.client.request(ACCEPT, { id: ticket.id });
    clock.set('2026-12-02T11:59:00Z');
    await ana.client.request(SEND, { id: onInstagram.id, body: 'in time' });
    clock.set('2026-12-02T12:01:00Z');
    await expectUnchanged(app, () => ana.client.expectCode(SEND, { id: onInstagram.id, body: 'too late' }, 'WINDOW_EXPIRED'));
    await ana.client.request(SEND, { id: onTelegram.id, body: 'no window here' });
    for (const ticket of [onInstagram, onTelegram]) await ana.client.request(CLOSE, { id: ticket.id });
  });
});

describe('the call-back offer out of hours', () => {
  it('takes "2" as no call-back, and later answers are plain messages', async () => {
    const channel = (
      await app.admin.request(CHANNEL, {
        input: { name: 'After hours', kind: 'WHATSAPP', offerCallback: true, businessHours: { timeZone: 'UTC', intervals: week('08:00', '18:00') }, outOfHoursReply: 'Closed.' },
      })
    ).createChannel.id;
    clock.set('2026-12-05T10:00:00Z'); // Saturday: closed
    const ticket = await contactWrites(app, { phone: '5511931000001', body: 'hello', sectorId: sales, channelId: channel });
    expect((await app.admin.request(TICKET, { id: ticket.id })).ticket).toMatchObject({ outOfHours: true, callbackRequested: null });
    await contactWrites(app, { phone: '5511931000001', body: '2', channelId: channel });
    expect((await app.admin.request(TICKET, { id: ticket.id })).ticket.callbackRequested).toBe(false);
    await contactWrites(app, { phone: '5511931000001', body: '1', channelId: channel });
    expect((await app.admin.request(TICKET, { id: ticket.id })).ticket.callbackRequested).toBe(false);
    await app.admin.request(CLOSE, { id: ticket.id });
    clock.set('2026-12-01T12:00:00Z');
  });
});

describe('ready replies', () => {
  it('fill {{sector.name}}, {{channel.name}}, {{contact.phone}} and {{contact.email}}; rename a category; delete a reply', async () => {
    const { createReadyReplyCategory: category } = await app.admin.request('mutation { createReadyReplyCategory(name: "Facts") { id } }');
    const { createReadyReply: reply } = await app.admin.request(
      'mutation($c: ID!, $b: String!) { createReadyReply(categoryId: $c, title: "Facts", body: $b) { id } }',
      { c: category.id, b: '{{sector.name}}|{{channel.name}}|{{contact.phone}}|{{contact.email}}' },
    );
    const ticket = await contactWrites(app, { phone: '5511932000001', body: 'hi', sectorId: sales });
    const contactId = (await app.admin.request('query($id: ID!) { ticket(id: $id) { contact { id } } }', { id: ticket.id })).ticket.contact.id;
    await app.admin.request('mutation($id: ID!) { updateContact(id: $id, input: { email: "rosa@example.com" }) { id } }', { id: contactId });
    const RENDER = 'query($id: ID!, $t: ID!) { renderReadyReply(id: $id, ticketId: $t) }';
    expect((await ana.client.request(RENDER, { id: reply.id, t: ticket.id })).renderReadyReply).toBe('Sales|Default|5511932000001|rosa@example.com');

    const { renameReadyReplyCategory } = await app.admin.request('mutation($id: ID!) { renameReadyReplyCategory(id: $id, name: "Known facts") { name } }', { id: category.id });
    expect(renameReadyReplyCategory.name).toBe('Known facts');
    await expectUnchanged(app, () => ana.client.expectCode('mutation($id: ID!) { renameReadyReplyCategory(id: $id, name: "Mine") { name } }', { id: category.id }, 'FORBIDDEN'));
    expect((await app.admin.request('mutation($id: ID!) { deleteReadyReply(id: $id) }', { id: reply.id })).deleteReadyReply).toBe(true);
    const titles = (await ana.client.request('{ readyReplyCategories { name replies { title } } }')).readyReplyCategories;
    expect(titles).toContainEqual({ name: 'Known facts', replies: [] });
    await expectUnchanged(app, () => app.admin.expectCode('mutation($id: ID!) { deleteReadyReply(id: $id) }', { id: reply.id }, 'NOT_FOUND'));
    await app.admin.request(CLOSE, { id: ticket.id });
  });
});

describe('the PDF transcript', () => {
  it('adds internal notes with ?notes=1 only', async () => {
    const ticket = await contactWrites(app, { phone: '5511933000001', body: 'my order', sectorId: sales });
    await ana.client.request(ACCEPT, { id: ticket.id });
    await ana.client.request('mutation($id: ID!) { addNote(ticketId: $id, body: "call the carrier") { id } }', { id: ticket.id });
    const textOf = async (query: string) => {
      const response = await fetch(app.url.replace('/graphql', `/tickets/${encodeURIComponent(ticket.id)}/transcript.pdf${query}`), { headers: { authorization: `Bearer ${ana.token}` } });
      expect(response.status).toBe(200);
      const parser = new PDFParse({ data: new Uint8Array(await response.arrayBuffer()) });
      const { text } = await parser.getText();
      await parser.destroy();
      return text;
    };
    expect(await textOf('')).not.toContain('call the carrier');
    expect(await textOf('?notes=1')).toContain('call the carrier');
    await ana.client.request(CLOSE, { id: ticket.id });
  });
});

describe('CSRF protection', () => {
  it('answers a GET that carries x-graphql-yoga-csrf, and refuses one with neither it nor Authorization', async () => {
    const url = `${app.url}?query=${encodeURIComponent('{ __typename }')}`;
    const refused = await fetch(url);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    const allowed = await fetch(url, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('routing', () => {
  it('hands a waiting ticket out when an agent closes one and has room again', async () => {
    const queue = await createSector(app, 'Routed');
    await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { routingMode: ROUND_ROBIN }) { id } }', { id: queue });
    const solo = await createAgent(app, 'Solo', [queue], { maxConcurrentTickets: 1 });
    const first = await contactWrites(app, { phone: '5511934000001', body: 'first', sectorId: queue });
    expect((await app.admin.request(TICKET, { id: first.id })).ticket).toMatchObject({ status: 'OPEN', assignee: { name: 'Solo' } });
    const second = await contactWrites(app, { phone: '5511934000002', body: 'second', sectorId: queue });
    expect((await app.admin.request(TICKET, { id: second.id })).ticket).toMatchObject({ status: 'WAITING', assignee: null });
    await solo.client.request(CLOSE, { id: first.id });
    expect((await app.admin.request(TICKET, { id: second.id })).ticket).toMatchObject({ status: 'OPEN', assignee: { name: 'Solo' } });
    await solo.client.request(CLOSE, { id: second.id });
  });
});

describe('monitoring', () => {
  it('narrows to one channel, and counts PAUSED and INVISIBLE agents', async () => {
    const watched = await createSector(app, 'Watched');
    await createAgent(app, 'Pia', [watched], {}, 'PAUSED');
    await createAgent(app, 'Ivy', [watched], {}, 'INVISIBLE');
    await createAgent(app, 'Olga', [watched], {}, 'ONLINE');
    const web = (await app.admin.request(CHANNEL, { input: { name: 'Web', kind: 'WEBCHAT' } })).createChannel.id;
    await contactWrites(app, { phone: '5511935000001', body: 'default channel', sectorId: watched });
    await contactWrites(app, { phone: '5511935000002', body: 'web 1', sectorId: watched, channelId: web });
    await contactWrites(app, { phone: '5511935000003', body: 'web 2', sectorId: watched, channelId: web });
    const PANEL = 'query($s: ID, $c: ID) { monitoring(sectorId: $s, channelId: $c) { ticketsInQueue agents { online paused invisible } } }';
    expect((await app.admin.request(PANEL, { s: watched })).monitoring).toEqual({ ticketsInQueue: 3, agents: { online: 1, paused: 1, invisible: 1 } });
    expect((await app.admin.request(PANEL, { s: watched, c: web })).monitoring.ticketsInQueue).toBe(2);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { testClock } from './helpers/clock.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';

// Each case is a hole a review found; each stays closed.

const clock = testClock('2026-12-07T15:00:00Z'); // Monday
let app: TestApp;
let sales: string;
let support: string;
let ana: Agent; // Sales

beforeAll(async () => {
  app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 365 * 86_400 } });
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
  ana = await createAgent(app, 'Ana', [sales]);
});
afterAll(() => app.stop());

describe('visibility holes', () => {
  it('does not let an active message take over a conversation in a queue I cannot see', async () => {
    const ticket = await contactWrites(app, { phone: '5511990000001', body: 'secret in support', sectorId: support });
    const { ticket: read } = await app.admin.request('query($id: ID!) { ticket(id: $id) { contact { id } } }', { id: ticket.id });
    const { createTemplate } = await app.admin.request('mutation { createTemplate(input: { name: "hi", language: "en", body: "Hi!" }) { id } }');
    const before = await app.snapshot();
    const error = await ana.client.expectCode(
      'mutation($c: ID!, $t: ID!) { sendTemplateMessage(contactId: $c, templateId: $t, variables: []) { ticket { id } } }',
      { c: read.contact.id, t: createTemplate.id },
      'CONFLICT',
    );
    expect(error.extensions?.['reason']).toBe('CONTACT_IN_ANOTHER_QUEUE');
    expect(await app.snapshot()).toBe(before);
  });

  it('treats a contact with no ticket I see as missing: node is null and updateContact is NOT_FOUND', async () => {
    const ticket = await contactWrites(app, { phone: '5511990000002', name: 'Hidden', body: 'x', sectorId: support });
    const contactId = (await app.admin.request('query($id: ID!) { ticket(id: $id) { contact { id } } }', { id: ticket.id })).ticket.contact.id;
    expect((await ana.client.request('query($id: ID!) { node(id: $id) { id } }', { id: contactId })).node).toBeNull();
    const before = await app.snapshot();
    await ana.client.expectCode('mutation($id: ID!) { updateContact(id: $id, input: { name: "Mine" }) { id } }', { id: contactId }, 'NOT_FOUND');
    expect(await app.snapshot()).toBe(before);
  });

  it("refuses another account's sector in closedTickets instead of counting its tickets", async () => {
    await app.admin.expectCode('query($s: ID) { closedTickets(sectorId: $s) { totalCount } }', { s: Buffer.from('Sector:9999').toString('base64') }, 'BAD_USER_INPUT', 'sectorId');
  });

  it('answers a malformed transcript path with 400, and keeps serving', async () => {
    const response = await fetch(app.url.replace('/graphql', '/tickets/%E0%A4%A/transcript.pdf'), { headers: { authorization: `Bearer ${ana.token}` } });
    expect(response.status).toBe(400);
    expect((await fetch(app.url.replace('/graphql', '/healthz'))).status).toBe(200);
  });
});

describe('rule holes', () => {
  it('does not take a menu answer for a call-back answer, nor ask both at once', async () => {
    const { createChannel } = await app.admin.request('mutation($input: CreateChannelInput!) { createChannel(input: $input) { id } }', {
      input: {
        name: 'Night menu', kind: 'WHATSAPP', offerCallback: true, outOfHoursReply: 'Closed until {{next_opening}}.',
        businessHours: { timeZone: 'UTC', intervals: [{ weekday: 'MONDAY', start: '08:00', end: '09:00' }] },
        menu: { greeting: 'Choose:', sectorIds: [sales, support] },
      },
    });
    const ticket = await contactWrites(app, { phone: '5511990000003', body: 'hi', channelId: createChannel.id });
    await contactWrites(app, { phone: '5511990000003', body: '2', channelId: createChannel.id });
    const { ticket: read } = await app.admin.request('query($id: ID!) { ticket(id: $id) { sector { name } callbackRequested messages { edges { node { body author } } } } }', { id: ticket.id });
    expect(read.sector.name).toBe('Support');
    expect(read.callbackRequested).toBeNull();
    const system = read.messages.edges.filter((e: { node: { author: string } }) => e.node.author === 'SYSTEM').map((e: { node: { body: string } }) => e.node.body);
    expect(system.join('\n')).not.toMatch(/call you back/);
  });

  it('makes handing a ticket to myself obey the same limits as accepting it', async () => {
    const full = await createAgent(app, 'Full', [sales], { maxConcurrentTickets: 1 });
    const first = await contactWrites(app, { phone: '5511990000004', body: 'a', sectorId: sales });
    await full.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: first.id });
    const second = await contactWrites(app, { phone: '5511990000005', body: 'b', sectorId: sales });
    const before = await app.snapshot();
    const error = await full.client.expectCode('mutation($id: ID!, $u: ID) { transferTicket(id: $id, userId: $u) { id } }', { id: second.id, u: full.id }, 'CONFLICT');
    expect(error.extensions?.['reason']).toBe('AT_CAPACITY');
    expect(await app.snapshot()).toBe(before);
  });

  it('routes around an absent agent', async () => {
    const queue = await createSector(app, 'Routed');
    await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { routingMode: ROUND_ROBIN }) { id } }', { id: queue });
    const away = await createAgent(app, 'Away', [queue]);
    await createAgent(app, 'Here', [queue]);
    await away.client.request('mutation { setAbsence(input: { enabled: true, message: "Out today" }) { enabled } }');
    for (let i = 0; i < 3; i++) {
      const ticket = await contactWrites(app, { phone: `551199100000${i}`, body: 'x', sectorId: queue });
      expect((await app.admin.request('query($id: ID!) { ticket(id: $id) { assignee { name } } }', { id: ticket.id })).ticket.assignee.name).toBe('Here');
    }
  });

  it('rejects {{0}} in a template and a phone filter without digits', async () => {
    await expectUnchanged(app, async () => {
      await app.admin.expectCode('mutation { createTemplate(input: { name: "zero", language: "en", body: "Hi {{0}}" }) { id } }', undefined, 'BAD_USER_INPUT', 'input.body');
      await app.admin.expectCode('{ contacts(phone: "abc") { totalCount } }', undefined, 'BAD_USER_INPUT', 'phone');
    });
  });
});

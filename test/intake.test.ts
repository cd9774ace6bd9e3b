import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { testClock } from './helpers/clock.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';

// Every intake rule at exact instants: the app runs on a clock the test sets.

const clock = testClock('2026-11-27T15:00:00Z'); // Friday 12:00 in São Paulo
const week = (start: string, end: string, days = [1, 2, 3, 4, 5]) => ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'].filter((_, i) => days.includes(i + 1)).map((weekday) => ({ weekday, start, end }));
const CHANNEL = 'mutation($input: CreateChannelInput!) { createChannel(input: $input) { id } }';
const TICKET = `query($id: ID!) { ticket(id: $id) { status outOfHours callbackRequested sector { name } assignee { name }
  assigneeAbsence { message } messages(first: 20) { edges { node { body author direction kind } } } } }`;

let app: TestApp;
let sales: string;
let support: string;

beforeAll(async () => {
  app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 365 * 86_400 } });
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
});
afterAll(() => app.stop());

async function systemReplies(ticketId: string): Promise<string[]> {
  const { ticket } = await app.admin.request(TICKET, { id: ticketId });
  return ticket.messages.edges.filter((e: { node: { author: string } }) => e.node.author === 'SYSTEM').map((e: { node: { body: string } }) => e.node.body);
}

describe('channel business hours', () => {
  let channel: string;
  beforeAll(async () => {
    channel = (
      await app.admin.request(CHANNEL, {
        input: {
          name: 'WhatsApp BR', kind: 'WHATSAPP', offerCallback: true,
          businessHours: { timeZone: 'America/Sao_Paulo', intervals: week('08:00', '18:00') },
          outOfHoursReply: 'We are closed now. We open on {{next_opening}}.',
        },
      })
    ).createChannel.id;
  });

  it('answers inside hours without a reply, up to 17:59', async () => {
    clock.set('2026-11-27T20:59:00Z'); // Fri 17:59 local
    const ticket = await contactWrites(app, { phone: '5511980000001', body: 'still open?', channelId: channel, sectorId: sales });
    expect(await systemReplies(ticket.id)).toEqual([]);
    expect((await app.admin.request(TICKET, { id: ticket.id })).ticket.outOfHours).toBe(false);
  });

  it('at 18:00 marks the ticket out of hours, replies once with the next opening, and takes the call-back answer', async () => {
    clock.set('2026-11-27T21:00:00Z'); // Fri 18:00 local: closed
    const ticket = await contactWrites(app, { phone: '5511980000002', body: 'hello', channelId: channel, sectorId: sales });
    clock.advance(60_000);
    await contactWrites(app, { phone: '5511980000002', body: 'anyone?', channelId: channel });
    const replies = await systemReplies(ticket.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toBe('We are closed now. We open on Monday 30 November at 08:00.\nWould you like us to call you back? Reply 1 for yes or 2 for no.');
    expect((await app.admin.request(TICKET, { id: ticket.id })).ticket).toMatchObject({ outOfHours: true, callbackRequested: null });
    await contactWrites(app, { phone: '5511980000002', body: '1', channelId: channel });
    expect((await app.admin.request(TICKET, { id: ticket.id })).ticket.callbackRequested).toBe(true);
    expect(await systemReplies(ticket.id)).toHaveLength(1);
  });

  it('lists out-of-hours contacts for 7 days, with call-back and active-message state', async () => {
    clock.set('2026-11-28T02:00:00Z'); // Fri 23:00 local
    const unknown = await contactWrites(app, { phone: '5511980000003', body: 'late', channelId: channel, sectorId: support });
    await contactWrites(app, { phone: '5511980000003', body: 'no', channelId: channel });
    const LIST = 'query($days: Int) { afterHoursContacts(days: $days) { name phone callbackRequested activeMessageSentAt ticket { id } contact { id } } }';
    const { afterHoursContacts } = await app.admin.request(LIST, {});
    expect(afterHoursContacts.slice(0, 2)).toMatchObject([
      { name: null, phone: '5511980000003', callbackRequested: false, activeMessageSentAt: null, ticket: { id: unknown.id } },
      { phone: '5511980000002', callbackRequested: true },
    ]);
    // An agent of Support sees only what the ticket rule lets them see.
    const sue = await createAgent(app, 'Sue', [support]);
    expect((await sue.client.request(LIST, {})).afterHoursContacts.map((row: { phone: string }) => row.phone)).toEqual(['5511980000003']);
    // An ADMIN may look through an agent's eyes; an agent may not look through another's.
    const AS = 'query($u: ID) { afterHoursContacts(userId: $u) { phone } }';
    expect((await app.admin.request(AS, { u: sue.id })).afterHoursContacts.map((row: { phone: string }) => row.phone)).toEqual(['5511980000003']);
    const other = await createAgent(app, 'Otis', [sales]);
    await other.client.expectCode(AS, { u: sue.id }, 'FORBIDDEN');

    const { createTemplate } = await app.admin.request('mutation { createTemplate(input: { name: "callback", language: "en", body: "Hi {{1}}, this is {{2}} returning your call." }) { id variables } }');
    expect(createTemplate.variables).toBe(2);
    const contactId = afterHoursContacts[0].contact.id;
    const SEND = 'mutation($c: ID!, $t: ID!, $v: [String!]!, $ch: ID) { sendTemplateMessage(contactId: $c, templateId: $t, variables: $v, channelId: $ch) { message { body kind } ticket { status assignee { name } } } }';
    const before = await app.snapshot();
    await sue.client.expectCode(SEND, { c: contactId, t: createTemplate.id, v: ['there'], ch: channel }, 'BAD_USER_INPUT', 'variables');
    await sue.client.expectCode(SEND, { c: contactId, t: createTemplate.id, v: ['there', ' '], ch: channel }, 'BAD_USER_INPUT', 'variables.1');
    expect(await app.snapshot()).toBe(before);
    clock.set('2026-11-30T12:00:00Z'); // Monday 09:00 local
    const { sendTemplateMessage } = await sue.client.request(SEND, { c: contactId, t: createTemplate.id, v: ['there', 'Sue'], ch: channel });
    expect(sendTemplateMessage).toEqual({ message: { body: 'Hi there, this is Sue returning your call.', kind: 'TEMPLATE' }, ticket: { status: 'OPEN', assignee: { name: 'Sue' } } });
    const listed = (await app.admin.request(LIST, {})).afterHoursContacts[0];
    expect(listed.activeMessageSentAt).toBe('2026-11-30T12:00:00.000Z');

    clock.set('2026-12-05T03:00:00Z'); // more than 7 days after the 27th's contacts
    const recent = (await app.admin.request(LIST, {})).afterHoursContacts.map((row: { phone: string }) => row.phone);
    expect(recent).not.toContain('5511980000002');
    expect((await app.admin.request(LIST, { days: 10 })).afterHoursContacts.map((row: { phone: string }) => row.phone)).toContain('5511980000002');
  });

  it('judges the same instant by each channel\'s own zone', async () => {
    const lisbon = (await app.admin.request(CHANNEL, { input: { name: 'Lisbon', kind: 'WHATSAPP', businessHours: { timeZone: 'Europe/Lisbon', intervals: week('08:00', '18:00') }, outOfHoursReply: 'Closed until {{next_opening}}.' } })).createChannel.id;
    const recife = (await app.admin.request(CHANNEL, { input: { name: 'Recife', kind: 'WHATSAPP', businessHours: { timeZone: 'America/Recife', intervals: week('08:00', '18:00') }, outOfHoursReply: 'Closed until {{next_opening}}.' } })).createChannel.id;
    clock.set('2026-12-04T19:00:00Z'); // Friday: 19:00 in Lisbon, 16:00 in Recife
    const inLisbon = await contactWrites(app, { phone: '351910000001', body: 'olá', channelId: lisbon, sectorId: sales });
    const inRecife = await contactWrites(app, { phone: '5581910000001', body: 'oi', channelId: recife, sectorId: sales });
    expect(await systemReplies(inLisbon.id)).toEqual(['Closed until Monday 7 December at 08:00.']);
    expect(await systemReplies(inRecife.id)).toEqual([]);
    // Lisbon offers no call-back: the list says null, not false.
    const { afterHoursContacts } = await app.admin.request('query($ch: ID) { afterHoursContacts(channelId: $ch) { phone callbackRequested } }', { ch: lisbon });
    expect(afterHoursContacts).toEqual([{ phone: '351910000001', callbackRequested: null }]);
  });

  it('follows the DST change of the channel zone (New York, 2026-03-08)', async () => {
    const ny = (await app.admin.request(CHANNEL, { input: { name: 'NY', kind: 'WHATSAPP', businessHours: { timeZone: 'America/New_York', intervals: week('09:00', '17:00', [7]) }, outOfHoursReply: 'Closed until {{next_opening}}.' } })).createChannel.id;
    clock.set('2026-03-08T12:30:00Z'); // 08:30 EDT: closed
    const early = await contactWrites(app, { phone: '12125550001', body: 'hi', channelId: ny, sectorId: sales });
    expect(await systemReplies(early.id)).toEqual(['Closed until Sunday 8 March at 09:00.']);
    clock.set('2026-03-08T13:30:00Z'); // 09:30 EDT: open (a fixed EST offset would say 08:30)
    const inside = await contactWrites(app, { phone: '12125550002', body: 'hi', channelId: ny, sectorId: sales });
    expect(await systemReplies(inside.id)).toEqual([]);
  });
});

describe('sector menu', () => {
  let channel: string;
  beforeAll(async () => {
    clock.set('2026-12-01T15:00:00Z');
    await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { greeting: "Support here, tell us more." }) { id } }', { id: support });
    channel = (await app.admin.request(CHANNEL, { input: { name: 'Menu', kind: 'WEBCHAT', menu: { greeting: 'Hi! Choose a sector:', sectorIds: [sales, support] } } })).createChannel.id;
  });

  it('greets a new contact with the numbered sectors, and the answer picks the queue', async () => {
    const ticket = await contactWrites(app, { phone: '5511981000001', body: 'hello', channelId: channel });
    expect(ticket.sector).toBeNull();
    await contactWrites(app, { phone: '5511981000001', body: '2', channelId: channel });
    expect(await systemReplies(ticket.id)).toEqual(['Support here, tell us more.', 'Hi! Choose a sector:\n1 - Sales\n2 - Support']);
    expect((await app.admin.request(TICKET, { id: ticket.id })).ticket.sector.name).toBe('Support');
  });

  it('repeats the menu once after an invalid answer, then leaves the ticket waiting without a sector', async () => {
    const ticket = await contactWrites(app, { phone: '5511981000002', body: 'hi', channelId: channel });
    await contactWrites(app, { phone: '5511981000002', body: '7', channelId: channel });
    await contactWrites(app, { phone: '5511981000002', body: 'sales please', channelId: channel });
    await contactWrites(app, { phone: '5511981000002', body: '?', channelId: channel });
    const replies = await systemReplies(ticket.id);
    expect(replies).toEqual(['Sorry, that is not an option.\nHi! Choose a sector:\n1 - Sales\n2 - Support', 'Hi! Choose a sector:\n1 - Sales\n2 - Support']);
    const { ticket: read } = await app.admin.request(TICKET, { id: ticket.id });
    expect(read).toMatchObject({ status: 'WAITING', sector: null });
    const agent = await createAgent(app, 'Mona', [sales, support]);
    expect((await agent.client.request(TICKET, { id: ticket.id })).ticket).toBeNull();
  });

  it('refuses a menu naming an unknown sector, changing nothing', async () => {
    const before = await app.snapshot();
    await app.admin.expectCode(CHANNEL, { input: { name: 'Bad', kind: 'API', menu: { greeting: 'x', sectorIds: [Buffer.from('Sector:999').toString('base64')] } } }, 'BAD_USER_INPUT', 'input.menu.sectorIds');
    expect(await app.snapshot()).toBe(before);
  });
});

describe('absence', () => {
  let ana: Agent;
  let bruno: Agent;
  const SET = 'mutation($input: SetAbsenceInput!) { setAbsence(input: $input) { enabled message activeNow suggestedUser { name } } }';

  beforeAll(async () => {
    clock.set('2026-12-02T15:00:00Z');
    ana = await createAgent(app, 'Ana', [sales]);
    bruno = await createAgent(app, 'Bruno', [sales]);
  });

  it('validates: a message while on, an end after the start, an available colleague; only ADMINs set others', async () => {
    const before = await app.snapshot();
    await ana.client.expectCode(SET, { input: { enabled: true } }, 'BAD_USER_INPUT', 'input.message');
    await ana.client.expectCode(SET, { input: { enabled: true, message: 'x', startsAt: '2026-12-03T00:00:00Z', endsAt: '2026-12-02T00:00:00Z' } }, 'BAD_USER_INPUT', 'input.endsAt');
    await ana.client.expectCode(SET, { input: { enabled: true, message: 'x', suggestedUserId: ana.id } }, 'BAD_USER_INPUT', 'input.suggestedUserId');
    await ana.client.expectCode(SET, { input: { userId: bruno.id, enabled: true, message: 'x' } }, 'FORBIDDEN');
    await ana.client.expectCode('query($u: ID) { absence(userId: $u) { enabled } }', { u: bruno.id }, 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);
    await app.admin.request(SET, { input: { userId: bruno.id, enabled: true, message: 'Off today' } });
    await expectUnchanged(app, () => ana.client.expectCode(SET, { input: { enabled: true, message: 'x', suggestedUserId: bruno.id } }, 'BAD_USER_INPUT', 'input.suggestedUserId'));
    await app.admin.request(SET, { input: { userId: bruno.id, enabled: false } });
    expect((await bruno.client.request('{ absence { enabled message } }')).absence).toEqual({ enabled: false, message: 'Off today' });
  });

  it('answers a contact on my ticket once per ticket while I am away, naming the colleague', async () => {
    const ticket = await contactWrites(app, { phone: '5511982000001', body: 'hi', sectorId: sales });
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
    const { setAbsence } = await ana.client.request(SET, {
      input: { enabled: true, message: 'I am on vacation until Monday.', suggestedUserId: bruno.id, startsAt: '2026-12-02T16:00:00Z', endsAt: '2026-12-02T18:00:00Z' },
    });
    expect(setAbsence).toMatchObject({ enabled: true, activeNow: false, suggestedUser: { name: 'Bruno' } });
    await contactWrites(app, { phone: '5511982000001', body: 'before the window' });
    expect(await systemReplies(ticket.id)).toEqual([]);
    clock.set('2026-12-02T16:00:00Z');
    await contactWrites(app, { phone: '5511982000001', body: 'inside' });
    await contactWrites(app, { phone: '5511982000001', body: 'again' });
    expect(await systemReplies(ticket.id)).toEqual(['I am on vacation until Monday.\nMeanwhile, Bruno can help you.']);
    expect((await app.admin.request(TICKET, { id: ticket.id })).ticket.assigneeAbsence).toEqual({ message: 'I am on vacation until Monday.' });
    clock.set('2026-12-02T18:00:00Z'); // the window's end: back
    expect((await app.admin.request(TICKET, { id: ticket.id })).ticket.assigneeAbsence).toBeNull();
  });
});

describe('routing', () => {
  it('ROUND_ROBIN hands tickets to available agents in turn, skipping paused, off-hours and full ones', async () => {
    clock.set('2026-12-03T15:00:00Z'); // Thursday
    const queue = await createSector(app, 'Round');
    await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { routingMode: ROUND_ROBIN }) { id } }', { id: queue });
    const a = await createAgent(app, 'Rr1', [queue]);
    const b = await createAgent(app, 'Rr2', [queue]);
    const c = await createAgent(app, 'Rr3', [queue]);
    await createAgent(app, 'Paused', [queue], {}, 'PAUSED');
    await createAgent(app, 'Night', [queue], { workingHours: { timeZone: 'UTC', intervals: week('00:00', '06:00', [1, 2, 3, 4, 5, 6, 7]) } });
    const full = await createAgent(app, 'Full', [queue], { maxConcurrentTickets: 1 }, 'PAUSED');
    const held = await contactWrites(app, { phone: '5511983999999', body: 'held', sectorId: queue });
    expect((await app.admin.request(TICKET, { id: held.id })).ticket.assignee.name).toBe('Rr1');
    await app.admin.request('mutation($id: ID!, $u: ID) { transferTicket(id: $id, userId: $u) { id } }', { id: held.id, u: full.id });
    await full.client.request('mutation { setMyStatus(status: ONLINE) { id } }');
    const assignees = [];
    for (let i = 0; i < 6; i++) {
      const ticket = await contactWrites(app, { phone: `5511983${String(i).padStart(6, '0')}`, body: 'hi', sectorId: queue });
      assignees.push((await app.admin.request(TICKET, { id: ticket.id })).ticket.assignee.name);
    }
    // Rr1 took the held ticket first, so the turn goes on from Rr2; Full (1 of 1 open) is skipped.
    expect(assignees).toEqual(['Rr2', 'Rr3', 'Rr1', 'Rr2', 'Rr3', 'Rr1']);
    for (const agent of [a, b, c]) expect((await agent.client.request('{ ticketCounts { open } }')).ticketCounts.open).toBe(2);
  });

  it('LEAST_BUSY picks the agent with the fewest open tickets; with nobody available the ticket waits until someone comes ONLINE', async () => {
    const queue = await createSector(app, 'Least');
    const busy = await createAgent(app, 'Busy', [queue]);
    for (let i = 0; i < 2; i++) {
      const t = await contactWrites(app, { phone: `5511984${String(i).padStart(6, '0')}`, body: 'x', sectorId: queue });
      await busy.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: t.id });
    }
    const idle = await createAgent(app, 'Idle', [queue], { maxConcurrentTickets: 1 });
    await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { routingMode: LEAST_BUSY }) { id } }', { id: queue });
    const first = await contactWrites(app, { phone: '5511984100000', body: 'x', sectorId: queue });
    expect((await app.admin.request(TICKET, { id: first.id })).ticket.assignee.name).toBe('Idle');
    const second = await contactWrites(app, { phone: '5511984100001', body: 'x', sectorId: queue });
    expect((await app.admin.request(TICKET, { id: second.id })).ticket.assignee.name).toBe('Busy'); // Idle is full
    await busy.client.request('mutation { setMyStatus(status: PAUSED) { id } }');
    const third = await contactWrites(app, { phone: '5511984100002', body: 'x', sectorId: queue });
    expect((await app.admin.request(TICKET, { id: third.id })).ticket).toMatchObject({ status: 'WAITING', assignee: null });
    await busy.client.request('mutation { setMyStatus(status: ONLINE) { id } }');
    expect((await app.admin.request(TICKET, { id: third.id })).ticket).toMatchObject({ status: 'OPEN', assignee: { name: 'Busy' } });
  });

  it('stays fair under 30 concurrent arrivals: 10 each, nothing assigned twice', async () => {
    const queue = await createSector(app, 'Burst');
    await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { routingMode: ROUND_ROBIN }) { id } }', { id: queue });
    for (const name of ['B1', 'B2', 'B3']) await createAgent(app, name, [queue]);
    const tickets = await Promise.all(Array.from({ length: 30 }, (_, i) => contactWrites(app, { phone: `5511985${String(i).padStart(6, '0')}`, body: 'x', sectorId: queue })));
    const names = await Promise.all(tickets.map(async (t) => (await app.admin.request(TICKET, { id: t.id })).ticket.assignee.name as string));
    const perAgent = names.reduce<Record<string, number>>((acc, name) => ({ ...acc, [name]: (acc[name] ?? 0) + 1 }), {});
    expect(perAgent).toEqual({ B1: 10, B2: 10, B3: 10 });
  });

  it('shows an agent outside working hours as unavailable', async () => {
    clock.set('2026-12-03T15:00:00Z');
    const owl = await createAgent(app, 'Owl', [sales], { workingHours: { timeZone: 'UTC', intervals: week('00:00', '06:00') } });
    expect((await owl.client.request('{ me { status available } }')).me).toEqual({ status: 'ONLINE', available: false });
    clock.set('2026-12-04T05:59:00Z');
    expect((await owl.client.request('{ me { available } }')).me.available).toBe(true);
    clock.set('2026-12-04T06:00:00Z');
    expect((await owl.client.request('{ me { available } }')).me.available).toBe(false);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { contactWrites, createAgent, createSector, INGEST } from './helpers/fixtures.js';

// The "only once" rules under writers that really run at the same time (PostgreSQL's pool; SQLite
// queues them): a redelivered message, a rating, an automatic reply and the out-of-hours record.

const clock = testClock('2026-11-27T15:00:00Z'); // Friday 12:00 in São Paulo
const RACERS = 20;
const TICKET = `query($id: ID!) { ticket(id: $id) { rating { rating }
  messages(first: 100) { totalCount edges { node { body author externalId } } } } }`;

let app: TestApp;
let sales: string;

beforeAll(async () => {
  app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 365 * 86_400 } });
  sales = await createSector(app, 'Sales');
});
afterAll(() => app.stop());

const together = <T>(work: (i: number) => Promise<T>) => Promise.all(Array.from({ length: RACERS }, (_, i) => work(i)));

describe('racing writers', () => {
  it('store a message delivered 20 times at once, by a contact never seen before, once', async () => {
    const input = { contact: { phone: '5511970000001', name: 'Racer' }, body: 'only once', sectorId: sales, externalId: 'wamid.RACE001' };
    const answers = await together(() => app.admin.request(INGEST, { input }));
    const ticketIds = new Set(answers.map((answer) => answer.ingestMessage.id));
    expect(ticketIds.size).toBe(1);
    const { ticket } = await app.admin.request(TICKET, { id: [...ticketIds][0] });
    expect(ticket.messages.edges.map((edge: { node: unknown }) => edge.node)).toEqual([{ body: 'only once', author: 'CONTACT', externalId: 'wamid.RACE001' }]);
    const { contacts } = await app.admin.request('{ contacts(search: "5511970000001") { totalCount } }');
    expect(contacts.totalCount).toBe(1);
  });

  it('open one conversation for 20 different first messages of a new contact arriving at once', async () => {
    const answers = await together((i) => app.admin.request(INGEST, { input: { contact: { phone: '5511970000004', name: 'Burst' }, body: `burst ${i}`, sectorId: sales, externalId: `wamid.BURST${i}` } }));
    const ticketIds = new Set(answers.map((answer) => answer.ingestMessage.id));
    expect(ticketIds.size).toBe(1);
    const { ticket } = await app.admin.request(TICKET, { id: [...ticketIds][0] });
    expect(ticket.messages.totalCount).toBe(RACERS);
    const { tickets } = await app.admin.request('{ tickets(status: WAITING, all: true, search: "5511970000004") { totalCount } }');
    expect(tickets.totalCount).toBe(1);
  });

  it('give 10 agents taking the next ticket at once 10 different tickets, none refused', async () => {
    const queue = await createSector(app, 'Racing queue');
    const waiting = [];
    for (let i = 0; i < 10; i++) waiting.push((await contactWrites(app, { phone: `55119720000${String(i).padStart(2, '0')}`, body: 'next please', sectorId: queue })).id);
    const agents = await Promise.all(Array.from({ length: 10 }, (_, i) => createAgent(app, `Taker${i}`, [queue])));
    const taken = await Promise.all(agents.map(async (agent) => (await agent.client.request('mutation { takeNextTicket { id } }')).takeNextTicket?.id));
    expect([...taken].sort()).toEqual([...waiting].sort());
  });

  it('give 20 agents taking the next ticket over and over 100 different tickets, none refused while tickets wait', async () => {
    const queue = await createSector(app, 'Busy queue');
    const waiting = [];
    for (let i = 0; i < 100; i++) waiting.push((await contactWrites(app, { phone: `5511973${String(i).padStart(6, '0')}`, body: 'next please', sectorId: queue })).id);
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => createAgent(app, `Busy${i}`, [queue])));
    const TAKE = 'mutation { takeNextTicket { id } }';
    const outcomes = (
      await Promise.all(
        agents.map(async (agent) => {
          const mine: string[] = [];
          for (let take = 0; take < 5; take++) {
            try {
              mine.push((await agent.client.request(TAKE)).takeNextTicket?.id ?? 'queue empty');
            } catch (error) {
              mine.push(String((error as { response?: { errors?: { extensions?: { code?: string } }[] } }).response?.errors?.[0]?.extensions?.code));
            }
          }
          return mine;
        }),
      )
    ).flat();
    // Every one of them taken, each by one agent, while none was refused or told the queue was empty.
    expect([...outcomes].sort()).toEqual([...waiting].sort());
    // A later taker finds the queue empty.
    expect((await agents[0]!.client.request(TAKE)).takeNextTicket).toBeNull();
  });

  it('take one of 20 ratings sent at once and refuse the rest with CONFLICT', async () => {
    const done = await contactWrites(app, { phone: '5511970000002', body: 'rate me', sectorId: sales });
    await app.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: done.id });
    const RATE = 'mutation($id: ID!, $r: Int!) { rateTicket(ticketId: $id, rating: $r) { rating } }';
    const outcomes = await together(async (i) => {
      const errors = await app.admin.errors(RATE, { id: done.id, r: (i % 5) + 1 });
      return errors.length === 0 ? 'rated' : String(errors[0]?.extensions?.['code']);
    });
    expect(outcomes.filter((outcome) => outcome === 'rated')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === 'CONFLICT')).toHaveLength(RACERS - 1);
    const { ticket } = await app.admin.request(TICKET, { id: done.id });
    expect(ticket.rating.rating).toBeGreaterThanOrEqual(1);
  });

  it('send the out-of-hours reply once and record the ticket once when 20 messages arrive together after closing', async () => {
    const { createChannel } = await app.admin.request('mutation($input: CreateChannelInput!) { createChannel(input: $input) { id } }', {
      input: {
        name: 'Racing hours', kind: 'WHATSAPP',
        businessHours: { timeZone: 'America/Sao_Paulo', intervals: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY'].map((weekday) => ({ weekday, start: '08:00', end: '18:00' })) },
        outOfHoursReply: 'Closed until {{next_opening}}.',
      },
    });
    clock.set('2026-11-27T20:00:00Z'); // Fri 17:00 local: open, the ticket starts without a reply
    const ticket = await contactWrites(app, { phone: '5511970000003', body: 'before closing', channelId: createChannel.id, sectorId: sales });
    clock.set('2026-11-27T22:00:00Z'); // Fri 19:00 local: closed
    await together((i) => contactWrites(app, { phone: '5511970000003', body: `after closing ${i}`, channelId: createChannel.id }));
    const { ticket: read } = await app.admin.request(TICKET, { id: ticket.id });
    expect(read.messages.totalCount).toBe(RACERS + 2);
    expect(read.messages.edges.filter((edge: { node: { author: string } }) => edge.node.author === 'SYSTEM')).toHaveLength(1);
    const { afterHoursContacts } = await app.admin.request('{ afterHoursContacts { ticket { id } } }');
    expect(afterHoursContacts.filter((row: { ticket: { id: string } }) => row.ticket.id === ticket.id)).toHaveLength(1);
  });
});

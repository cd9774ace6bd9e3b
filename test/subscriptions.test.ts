import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_SECRET, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { hs256Token, subOf } from './helpers/tokens.js';
import { subscribe, untilListening, wsClient, type LiveSubscription } from './helpers/ws.js';

const EVENTS = 'subscription($status: TicketStatus, $all: Boolean) { ticketEvents(status: $status, all: $all) { kind status ticketId ticket { id status sector { name } assignee { name } tags } } }';
const COUNTS = 'subscription { ticketCountsChanged { waiting open closed } }';
const MESSAGES = 'subscription($id: ID!) { messageAdded(ticketId: $id) { body kind direction } }';
const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id } }';
const TRANSFER = 'mutation($id: ID!, $sectorId: ID, $userId: ID) { transferTicket(id: $id, sectorId: $sectorId, userId: $userId) { id } }';
const CLOSE = 'mutation($id: ID!) { closeTicket(id: $id) { id } }';
const REOPEN = 'mutation($id: ID!) { reopenTicket(id: $id) { id } }';

interface Event { ticketEvents: { kind: string; status: string; ticketId: string; ticket: { id: string; status: string; sector: { name: string } | null; assignee: { name: string } | null; tags: string[] } | null } }

let app: TestApp;
let sales: string;
let support: string;
let ana: Agent;
let bruno: Agent;
let carla: Agent;
const clients: Client[] = [];

function socketFor(token: string): Client {
  const client = wsClient(app.url, { authorization: `Bearer ${token}` });
  clients.push(client);
  return client;
}
const tokenOf = (agent: Agent) => agent.token;

beforeAll(async () => {
  app = await startTestApp();
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
  ana = await createAgent(app, 'Ana', [sales]);
  bruno = await createAgent(app, 'Bruno', [support]);
  carla = await createAgent(app, 'Carla', [sales]);
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await app.stop();
});

// Warm-up tickets prove a subscription is live (instead of a pause); every tab drops their events.
const warmUps = new Set<string>();
const skipWarmUps = { skip: (event: Event) => warmUps.has(event.ticketEvents?.ticketId) };
let warmUpPhone = 0;
async function warmUpTicket(sectorId: string): Promise<string> {
  const ticket = await contactWrites(app, { phone: `55119690${String(++warmUpPhone).padStart(5, '0')}`, body: 'warm-up', sectorId });
  warmUps.add(ticket.id);
  return ticket.id;
}

const brief = (events: Event[]) => events.map((e) => `${e.ticketEvents.kind} ${e.ticketEvents.status}`);

describe('ticketEvents over graphql-ws: every transition, as each subscriber sees it', () => {
  it('reports ADDED, UPDATED and REMOVED for the ADMIN, agents in and out of the sector, and the assignee', async () => {
    const adminSocket = socketFor(app.adminToken);
    const [anaSocket, brunoSocket, carlaSocket] = [socketFor(tokenOf(ana)), socketFor(tokenOf(bruno)), socketFor(tokenOf(carla))];
    const subs: Record<string, LiveSubscription<Event>> = {
      adminWaiting: subscribe(adminSocket, EVENTS, { status: 'WAITING' }, skipWarmUps),
      adminAll: subscribe(adminSocket, EVENTS, {}, skipWarmUps),
      anaWaiting: subscribe(anaSocket, EVENTS, { status: 'WAITING' }, skipWarmUps),
      anaOpen: subscribe(anaSocket, EVENTS, { status: 'OPEN' }, skipWarmUps),
      anaClosed: subscribe(anaSocket, EVENTS, { status: 'CLOSED' }, skipWarmUps),
      carlaWaiting: subscribe(carlaSocket, EVENTS, { status: 'WAITING' }, skipWarmUps),
      carlaOpen: subscribe(carlaSocket, EVENTS, { status: 'OPEN' }, skipWarmUps),
      carlaOpenAll: subscribe(carlaSocket, EVENTS, { status: 'OPEN', all: true }, skipWarmUps),
      brunoWaiting: subscribe(brunoSocket, EVENTS, { status: 'WAITING' }, skipWarmUps),
      brunoOpen: subscribe(brunoSocket, EVENTS, { status: 'OPEN' }, skipWarmUps),
    };
    // One warm-up ticket passes through every tab: Ana's open and closed, Bruno's, Carla's.
    await app.admin.request('mutation { setMyStatus(status: ONLINE) { id } }');
    await untilListening(Object.values(subs), async () => {
      const id = await warmUpTicket(sales);
      await ana.client.request(ACCEPT, { id });
      await ana.client.request(CLOSE, { id });
      await app.admin.request(REOPEN, { id });
      await app.admin.request(TRANSFER, { id, userId: carla.id });
      await app.admin.request(TRANSFER, { id, sectorId: support });
      await bruno.client.request(ACCEPT, { id });
      await bruno.client.request(CLOSE, { id });
    });
    const expectStep = async (expected: Record<string, string[]>) => {
      for (const [name, sub] of Object.entries(subs)) {
        const want = expected[name] ?? [];
        const got = want.length ? await sub.take(want.length) : [];
        expect(brief(got), name).toEqual(want);
      }
      for (const [name, sub] of Object.entries(subs)) expect(brief(await sub.nothingFor(0)), `${name} (extra)`).toEqual([]);
    };

    // A contact writes to Sales.
    const ticket = await contactWrites(app, { phone: '5511970000001', name: 'Lia', body: 'Hello', sectorId: sales });
    await expectStep({ adminWaiting: ['ADDED WAITING'], adminAll: ['ADDED WAITING'], anaWaiting: ['ADDED WAITING'], carlaWaiting: ['ADDED WAITING'] });

    // Another message: UPDATED where it is shown.
    await contactWrites(app, { phone: '5511970000001', body: 'Anyone?' });
    await expectStep({ adminWaiting: ['UPDATED WAITING'], adminAll: ['UPDATED WAITING'], anaWaiting: ['UPDATED WAITING'], carlaWaiting: ['UPDATED WAITING'] });

    // Ana accepts: it leaves every WAITING tab and enters Ana's OPEN tab (and Carla's "all open").
    await ana.client.request(ACCEPT, { id: ticket.id });
    await expectStep({
      adminWaiting: ['REMOVED OPEN'], adminAll: ['UPDATED OPEN'], anaWaiting: ['REMOVED OPEN'], carlaWaiting: ['REMOVED OPEN'],
      anaOpen: ['ADDED OPEN'], carlaOpenAll: ['ADDED OPEN'],
    });

    // A tag: UPDATED for those who show it, with the fresh tags.
    await ana.client.request('mutation($id: ID!) { setTicketTags(id: $id, tags: ["hot"]) { id } }', { id: ticket.id });
    const tagged = await subs['anaOpen']!.take(1);
    expect(tagged[0]!.ticketEvents).toMatchObject({ kind: 'UPDATED', ticket: { tags: ['hot'] } });
    await expectStep({ adminAll: ['UPDATED OPEN'], carlaOpenAll: ['UPDATED OPEN'] });

    // Transferred to Support: gone from Ana's OPEN tab (and she may no longer see it), queued for Bruno.
    await ana.client.request(TRANSFER, { id: ticket.id, sectorId: support });
    const removed = await subs['anaOpen']!.take(1);
    expect(removed[0]!.ticketEvents).toMatchObject({ kind: 'REMOVED', status: 'WAITING', ticket: null });
    await expectStep({ adminWaiting: ['ADDED WAITING'], adminAll: ['UPDATED WAITING'], brunoWaiting: ['ADDED WAITING'], carlaOpenAll: ['REMOVED WAITING'] });

    // Bruno takes it and closes it.
    await bruno.client.request(ACCEPT, { id: ticket.id });
    await expectStep({ adminWaiting: ['REMOVED OPEN'], adminAll: ['UPDATED OPEN'], brunoWaiting: ['REMOVED OPEN'], brunoOpen: ['ADDED OPEN'] });
    await bruno.client.request(CLOSE, { id: ticket.id });
    await expectStep({ adminAll: ['UPDATED CLOSED'], brunoOpen: ['REMOVED CLOSED'] });

    // Reopened by an ADMIN who hands it to Ana: it enters her OPEN tab again.
    await app.admin.request('mutation { setMyStatus(status: ONLINE) { id } }');
    await app.admin.request(REOPEN, { id: ticket.id });
    await expectStep({ adminAll: ['UPDATED OPEN'] });
    await app.admin.request(TRANSFER, { id: ticket.id, userId: ana.id });
    const back = await subs['anaOpen']!.take(1);
    expect(back[0]!.ticketEvents).toMatchObject({ kind: 'ADDED', status: 'OPEN', ticket: { assignee: { name: 'Ana' }, sector: { name: 'Support' } } });
    await expectStep({ adminAll: ['UPDATED OPEN'], carlaOpenAll: [] });

    for (const sub of Object.values(subs)) sub.dispose();
  });
});

describe('live authorization', () => {
  it('applies a membership change to an open subscription at once, both ways', async () => {
    const dora = await createAgent(app, 'Dora', [sales]);
    const live = subscribe<Event>(socketFor(tokenOf(dora)), EVENTS, { status: 'WAITING' }, skipWarmUps);
    await untilListening([live], () => warmUpTicket(sales));
    await contactWrites(app, { phone: '5511970000010', body: 'sales 1', sectorId: sales });
    expect(brief(await live.take(1))).toEqual(['ADDED WAITING']);

    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: dora.id, s: [support] });
    await contactWrites(app, { phone: '5511970000011', body: 'sales 2', sectorId: sales });
    await contactWrites(app, { phone: '5511970000012', body: 'support 1', sectorId: support });
    const after = await live.take(1);
    expect(brief(after)).toEqual(['ADDED WAITING']);
    expect(after[0]!.ticketEvents.ticket?.sector?.name).toBe('Support');
    // Events arrive in commit order: had "sales 2" reached Dora, it would have come before "support 1".
    live.dispose();
  });

  it('ends the subscriptions of a deactivated user', async () => {
    const eve = await createAgent(app, 'Eve', [sales]);
    const live = subscribe<Event>(socketFor(tokenOf(eve)), EVENTS, { status: 'WAITING' }, skipWarmUps);
    await untilListening([live], () => warmUpTicket(sales));
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }', { id: eve.id });
    await contactWrites(app, { phone: '5511970000013', body: 'after deactivation', sectorId: sales });
    await live.completed;
    expect(await live.nothingFor(0)).toEqual([]);
  });

  it('ends the subscription when the token expires, without reconnecting', async () => {
    const frank = await createAgent(app, 'Frank', [sales]);
    const userId = Number(Buffer.from(frank.id, 'base64').toString().split(':')[1]);
    // The server's timer for the expiry runs on the wall clock; 4 s leaves room for a loaded machine.
    const shortLived = await hs256Token(TEST_SECRET, { sub: subOf('User', userId), expiresIn: Math.floor(Date.now() / 1000) + 4 });
    const live = subscribe<Event>(socketFor(shortLived), EVENTS, { status: 'WAITING' }, skipWarmUps);
    await untilListening([live], () => warmUpTicket(sales));
    await contactWrites(app, { phone: '5511970000014', body: 'before expiry', sectorId: sales });
    expect(brief(await live.take(1))).toEqual(['ADDED WAITING']);
    await live.completed;
    expect(await live.nothingFor(0)).toEqual([]);
  });
});

describe('ticketCountsChanged and messageAdded', () => {
  it('pushes my counts now and after each change, coalesced under a burst', async () => {
    const gus = await createAgent(app, 'Gus', [await createSector(app, 'Counting')]);
    const counting = (await gus.client.request('{ me { sectors { id } } }')).me.sectors[0].id;
    const live = subscribe<{ ticketCountsChanged: { waiting: number; open: number; closed: number } }>(socketFor(tokenOf(gus)), COUNTS);
    expect((await live.take(1))[0]!.ticketCountsChanged).toEqual({ waiting: 0, open: 0, closed: 0 });
    const started = Date.now();
    const burst = [];
    for (let i = 0; i < 20; i++) burst.push(contactWrites(app, { phone: `55119710000${String(i).padStart(2, '0')}`, body: 'burst', sectorId: counting }));
    await Promise.all(burst);
    const pushed = await live.takeUntil((counts) => counts.ticketCountsChanged.waiting === 20, 10_000);
    // 20 changes, but at most one push per 250 ms of the burst (plus the trailing one).
    expect(pushed.length).toBeGreaterThanOrEqual(1);
    expect(pushed.length).toBeLessThanOrEqual(Math.ceil((Date.now() - started) / 250) + 1);
    expect(pushed.length).toBeLessThan(20);
    expect(pushed.at(-1)!.ticketCountsChanged).toEqual({ waiting: 20, open: 0, closed: 0 });
    live.dispose();
  });

  it('pushes my counts when a ticket moves into or out of my sight (judged before and after the change)', async () => {
    const [mine, theirs] = [await createSector(app, 'Counted here'), await createSector(app, 'Counted elsewhere')];
    const hana = await createAgent(app, 'Hana', [mine]);
    const live = subscribe<{ ticketCountsChanged: { waiting: number; open: number; closed: number } }>(socketFor(tokenOf(hana)), COUNTS);
    expect((await live.take(1))[0]!.ticketCountsChanged).toEqual({ waiting: 0, open: 0, closed: 0 });
    const ticket = await contactWrites(app, { phone: '5511971500001', body: 'elsewhere', sectorId: theirs });
    await app.admin.request(TRANSFER, { id: ticket.id, sectorId: mine });
    expect((await live.take(1))[0]!.ticketCountsChanged).toEqual({ waiting: 1, open: 0, closed: 0 });
    await app.admin.request(TRANSFER, { id: ticket.id, sectorId: theirs });
    expect((await live.take(1))[0]!.ticketCountsChanged).toEqual({ waiting: 0, open: 0, closed: 0 });
    expect(await live.nothingFor(300)).toEqual([]);
    live.dispose();
  });

  it('streams new messages of a ticket I see, notes included, and ends when I lose sight of it', async () => {
    const ticket = await contactWrites(app, { phone: '5511972000001', body: 'first', sectorId: sales });
    await carla.client.request(ACCEPT, { id: ticket.id });
    const live = subscribe<{ messageAdded: { body: string; kind: string; direction: string } }>(socketFor(tokenOf(carla)), MESSAGES, { id: ticket.id }, {
      skip: (message) => message.messageAdded?.body === 'warm-up',
    });
    await untilListening([live], () => contactWrites(app, { phone: '5511972000001', body: 'warm-up' }));
    await contactWrites(app, { phone: '5511972000001', body: 'second' });
    await carla.client.request('mutation($id: ID!) { sendMessage(ticketId: $id, body: "answer") { id } addNote(ticketId: $id, body: "note") { id } }', { id: ticket.id });
    expect((await live.take(3)).map((m) => `${m.messageAdded.direction} ${m.messageAdded.kind} ${m.messageAdded.body}`)).toEqual(['IN TEXT second', 'OUT TEXT answer', 'OUT NOTE note']);
    await carla.client.request(TRANSFER, { id: ticket.id, sectorId: support });
    await live.completed;
    expect(await live.nothingFor(0)).toEqual([]);
  });

  it('refuses messageAdded for a ticket I cannot see, like a missing one', async () => {
    const ticket = await contactWrites(app, { phone: '5511972000002', body: 'support only', sectorId: support });
    const live = subscribe<{ errors?: { extensions?: { code?: string } }[] }>(socketFor(tokenOf(ana)), MESSAGES, { id: ticket.id });
    const [result] = await live.take(1);
    expect(JSON.stringify(result)).toMatch(/NOT_FOUND/);
  });
});

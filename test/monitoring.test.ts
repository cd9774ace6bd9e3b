import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { subscribe, wsClient } from './helpers/ws.js';

// A day built by hand at exact instants, in an account whose midnight is 03:00 UTC (São Paulo).

const clock = testClock('2026-12-08T02:00:00Z');
let app: TestApp;
let sales: string;
let support: string;
let ana: Agent;
let bruno: Agent;
const at = (time: string) => clock.set(`2026-12-08T${time}:00Z`);
const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id } }';
const SEND = 'mutation($id: ID!) { sendMessage(ticketId: $id, body: "ok") { id } }';
const CLOSE = 'mutation($id: ID!) { closeTicket(id: $id) { id } }';
const CANCEL = 'mutation($id: ID!) { cancelTicket(id: $id) { status } }';
const RATE = 'mutation($id: ID!, $r: Int!) { rateTicket(ticketId: $id, rating: $r) { rating } }';
const PANEL = `query($sectorId: ID) { monitoring(sectorId: $sectorId) { since ticketsInQueue longestWaitSeconds ticketsInService
  averageFirstResponseSeconds maxFirstResponseSeconds averageResponseSeconds averageHandlingSeconds
  today { opened closed attended lost abandoned } agents { online paused invisible ticketsPerOnlineAgent }
  csat ratingsToday queue { waitSeconds ticket { protocol } } inService { protocol } tags { tag count } } }`;
const protocols: Record<string, number> = {};
const ticketIds: Record<string, string> = {};

beforeAll(async () => {
  const base = testConfig('/tmp');
  app = await startTestApp({ clock, jwt: { ...base.jwt, userTokenTtlSeconds: 365 * 86_400 }, bootstrap: { ...base.bootstrap, timeZone: 'America/Sao_Paulo' } });
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
  ana = await createAgent(app, 'Ana', [sales]);
  bruno = await createAgent(app, 'Bruno', [sales]);

  // Yesterday (23:30 local): T0 from start to close, rated today.
  at('02:30');
  const t0 = await contactWrites(app, { phone: '5511900000000', body: 'yesterday', sectorId: sales });
  at('02:40');
  await ana.client.request(ACCEPT, { id: t0.id });
  at('02:45');
  await ana.client.request(SEND, { id: t0.id });
  at('02:50');
  await ana.client.request(CLOSE, { id: t0.id });
  // Today, from 00:10 local.
  at('03:10');
  const t1 = await contactWrites(app, { phone: '5511900000001', body: 'waiting', sectorId: sales });
  at('03:20');
  const t2 = await contactWrites(app, { phone: '5511900000002', body: 'help', sectorId: sales });
  at('03:25');
  await ana.client.request(ACCEPT, { id: t2.id });
  at('03:30');
  await ana.client.request(SEND, { id: t2.id }); // first response 300 s after assignment; 600 s after the message
  at('03:40');
  await contactWrites(app, { phone: '5511900000002', body: 'and?' });
  at('03:42');
  await ana.client.request(SEND, { id: t2.id }); // 120 s
  at('03:50');
  const t3 = await contactWrites(app, { phone: '5511900000003', body: 'bye', sectorId: support });
  at('03:55');
  await app.admin.request(CANCEL, { id: t3.id }); // lost
  at('04:00');
  const t4 = await contactWrites(app, { phone: '5511900000004', body: 'hm', sectorId: sales });
  at('04:05');
  await ana.client.request(ACCEPT, { id: t4.id });
  at('04:10');
  await app.admin.request(CANCEL, { id: t4.id }); // abandoned, handled 300 s
  at('04:20');
  await ana.client.request(CLOSE, { id: t2.id }); // handled 3300 s
  await ana.client.request('mutation($id: ID!) { setTicketTags(id: $id, tags: ["refund"]) { id } }', { id: t2.id });
  at('04:30');
  await ana.client.request('mutation($id: ID!, $s: ID) { transferTicket(id: $id, sectorId: $s) { id } }', { id: t1.id, s: support }); // attended
  at('04:40');
  await app.admin.request(RATE, { id: t2.id, r: 5 });
  at('04:45');
  await app.admin.request(RATE, { id: t0.id, r: 3 });
  at('04:50');
  const t5 = await contactWrites(app, { phone: '5511900000005', body: 'new', sectorId: sales });
  at('04:52');
  await bruno.client.request(ACCEPT, { id: t5.id });
  at('04:55');
  await bruno.client.request(SEND, { id: t5.id }); // first response 180 s; 300 s after the message
  Object.assign(protocols, { t1: t1.protocol, t5: t5.protocol });
  Object.assign(ticketIds, { t2: t2.id });
  at('05:00');
});
afterAll(() => app.stop());

describe('monitoring', () => {
  it('computes every figure of today exactly', async () => {
    const { monitoring } = await app.admin.request(PANEL, {});
    expect(monitoring).toEqual({
      since: '2026-12-08T03:00:00.000Z',
      ticketsInQueue: 1,
      longestWaitSeconds: 1800,
      ticketsInService: 1,
      averageFirstResponseSeconds: 240,
      maxFirstResponseSeconds: 300,
      averageResponseSeconds: 340,
      averageHandlingSeconds: 1800,
      today: { opened: 5, closed: 3, attended: 2, lost: 1, abandoned: 1 },
      agents: { online: 2, paused: 0, invisible: 0, ticketsPerOnlineAgent: 0.5 },
      csat: 0.5,
      ratingsToday: 2,
      queue: [{ waitSeconds: 1800, ticket: { protocol: protocols['t1'] } }],
      inService: [{ protocol: protocols['t5'] }],
      tags: [{ tag: 'refund', count: 1 }],
    });
  });

  it('narrows to a sector, and starts a new day at the account midnight', async () => {
    const { monitoring } = await app.admin.request(PANEL, { sectorId: support });
    // Tickets count where they are now: T1 was moved to Support, so it is Support's (and attended there).
    expect(monitoring).toMatchObject({ ticketsInQueue: 1, ticketsInService: 0, today: { opened: 2, closed: 1, attended: 1, lost: 1, abandoned: 0 }, agents: { online: 0 } });
    clock.set('2026-12-09T02:59:00Z'); // 23:59 local: still the 8th
    expect((await app.admin.request(PANEL, {})).monitoring.today.opened).toBe(5);
    clock.set('2026-12-09T03:00:00Z'); // midnight local: a new day
    const next = (await app.admin.request(PANEL, {})).monitoring;
    expect(next).toMatchObject({ since: '2026-12-09T03:00:00.000Z', today: { opened: 0, closed: 0 }, ticketsInQueue: 1, csat: null, averageFirstResponseSeconds: null });
    clock.set('2026-12-08T05:00:00Z');
  });

  it('scores agents over 30 days and shows ratings on tickets under the visibility rule', async () => {
    const scoreOf = async (name: string) => {
      const { users } = await app.admin.request('{ users { name score { average count } } }');
      return users.find((u: { name: string }) => u.name === name).score;
    };
    expect(await scoreOf('Ana')).toEqual({ average: 4, count: 2 });
    expect(await scoreOf('Bruno')).toEqual({ average: null, count: 0 });
    // Rated at 04:40 (5) and 04:45 (3) on the 8th: each leaves the score 30 days later to the minute.
    clock.set('2027-01-07T04:40:00Z');
    expect(await scoreOf('Ana')).toEqual({ average: 4, count: 2 });
    clock.set('2027-01-07T04:41:00Z');
    expect(await scoreOf('Ana')).toEqual({ average: 3, count: 1 });
    clock.set('2027-01-07T04:46:00Z');
    expect(await scoreOf('Ana')).toEqual({ average: null, count: 0 });
    clock.set('2026-12-08T05:00:00Z');

    const RATING = 'query($id: ID!) { ticket(id: $id) { rating { rating } } }';
    expect((await bruno.client.request(RATING, { id: ticketIds['t2'] })).ticket).toEqual({ rating: { rating: 5 } });
    const outsider = await createAgent(app, 'Outsider', [support]);
    expect((await outsider.client.request(RATING, { id: ticketIds['t2'] })).ticket).toBeNull();
  });

  it('lets a USER with canMonitor watch their own sectors only', async () => {
    const plain = await createAgent(app, 'Plain', [sales]);
    const lead = await createAgent(app, 'Lead', [sales], { canMonitor: true });
    await plain.client.expectCode(PANEL, {}, 'FORBIDDEN');
    await lead.client.expectCode(PANEL, { sectorId: support }, 'FORBIDDEN');
    const { monitoring } = await lead.client.request(PANEL, {});
    expect(monitoring.today).toEqual({ opened: 3, closed: 2, attended: 1, lost: 0, abandoned: 1 });
    expect(monitoring.ticketsInQueue).toBe(0);
  });

  it('refuses bad ratings with a typed code, changing nothing', async () => {
    const open = await contactWrites(app, { phone: '5511900000009', body: 'open', sectorId: sales });
    const done = await contactWrites(app, { phone: '5511900000010', body: 'done', sectorId: sales });
    await app.admin.request(CLOSE, { id: done.id });
    const before = await app.snapshot();
    await app.admin.expectCode(RATE, { id: open.id, r: 6 }, 'BAD_USER_INPUT', 'input.rating');
    await app.admin.expectCode(RATE, { id: done.id, r: 0 }, 'BAD_USER_INPUT', 'input.rating');
    await app.admin.expectCode(RATE, { id: open.id, r: 4 }, 'CONFLICT');
    await ana.client.expectCode(RATE, { id: done.id, r: 4 }, 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);
    expect((await app.admin.request(RATE, { id: done.id, r: 4 })).rateTicket.rating).toBe(4);
    const afterFirst = await app.snapshot();
    await app.admin.expectCode(RATE, { id: done.id, r: 2 }, 'CONFLICT');
    expect(await app.snapshot()).toBe(afterFirst);
    expect((await ana.client.request('query($id: ID!) { ticket(id: $id) { rating { rating } } }', { id: done.id })).ticket.rating).toEqual({ rating: 4 });
    expect((await bruno.client.request('query($id: ID!) { ticket(id: $id) { rating { rating } } }', { id: done.id })).ticket.rating).toEqual({ rating: 4 });
  });

  it('pushes the panel live, coalesced to about one per second under a burst', async () => {
    const socket = wsClient(app.url, { token: app.adminToken });
    const live = subscribe<{ monitoringChanged: { ticketsInQueue: number } }>(socket, 'subscription { monitoringChanged { ticketsInQueue } }');
    const [first] = await live.take(1);
    const startQueue = first!.monitoringChanged.ticketsInQueue;
    const started = Date.now();
    for (let i = 0; i < 15; i++) await contactWrites(app, { phone: `55119100000${String(i).padStart(2, '0')}`, body: 'burst', sectorId: support });
    const pushed = await live.takeUntil((panel) => panel.monitoringChanged.ticketsInQueue === startQueue + 15, 10_000);
    const seconds = (Date.now() - started) / 1000;
    expect(pushed.length).toBeGreaterThanOrEqual(1);
    expect(pushed.length).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    expect(pushed.at(-1)!.monitoringChanged.ticketsInQueue).toBe(startQueue + 15);
    live.dispose();
    await socket.dispose();
  });
});

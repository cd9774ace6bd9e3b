import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from 'graphql-ws';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateKeepingJson } from '../schema/fan-out-target.js';
import { killStartedEntries } from './helpers/child.js';
import { dropDatabase, engine, prepareDatabase } from './helpers/database.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { asApp, startInstance, type Instance } from './helpers/instances.js';
import { redisUnavailable, startRedisServer, type RedisServer } from './helpers/redis-server.js';
import { startTcpProxy } from './helpers/tcp-proxy.js';
import { subscribe, untilListening, wsClient, type LiveSubscription } from './helpers/ws.js';

// Two `npm start` processes on two ports, one PostgreSQL database, one redis-server: what one instance
// commits reaches the subscribers of the other, failed logins add up across them, a Redis outage leaves
// each its own events, and a console whose instance dies resumes on the other from its cursor.

const WAITING = 'subscription($after: String) { ticketEvents(status: WAITING, after: $after) { kind ticketId cursor ticket { lastMessage { body } } } }';
const MESSAGES = 'subscription($id: ID!) { messageAdded(ticketId: $id) { body } }';
const COUNTS = 'subscription { ticketCountsChanged { waiting } }';
const PANEL = 'subscription($s: ID) { monitoringChanged(sectorId: $s) { ticketsInQueue } }';
const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id } }';
const PRESENCE = 'subscription($t: ID!) { ticketPresence(ticketId: $t) { user { name } state } }';
const SET_PRESENCE = 'mutation($t: ID!, $s: PresenceState!) { setTicketPresence(ticketId: $t, state: $s) }';
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';

interface TicketEvent { ticketEvents: { kind: string; ticketId: string; cursor: string; ticket: { lastMessage: { body: string } | null } | null } }

describe('the fan-out serializer', () => {
  it('brings Dates back as Dates (DomainEvent.occurredAt) and leaves strings that look like dates alone', () => {
    const occurredAt = new Date('2026-11-30T01:02:03.456Z');
    const event = { id: 7, occurredAt, payload: { startsAt: '2026-12-01T00:00:00.000Z', nested: [{ at: occurredAt }] } };
    const back = dateKeepingJson.parse(dateKeepingJson.stringify(event)) as typeof event;
    expect(back.occurredAt).toBeInstanceOf(Date);
    expect(back.occurredAt.getTime()).toBe(occurredAt.getTime());
    expect(back.payload.nested[0]!.at).toBeInstanceOf(Date);
    expect(back.payload.startsAt).toBe('2026-12-01T00:00:00.000Z');
  });
});

if (redisUnavailable && engine === 'postgres') describe.skip(`two instances on Redis: skipped, ${redisUnavailable}`, () => it.skip('needs redis-server'));

describe.skipIf(engine !== 'postgres' || redisUnavailable !== null)('two instances, one PostgreSQL, one Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deskgraph-two-instances-'));
  const sockets: Client[] = [];
  let redis: RedisServer;
  let env: Record<string, string>;
  let one: Instance;
  let two: Instance;
  let sales: string;
  let ana: Agent;
  let bia: Agent;
  let phone = 0;
  const nextPhone = () => `55119720${String(++phone).padStart(5, '0')}`;

  function socketOn(instance: Instance, token: string): Client {
    const socket = wsClient(instance.url, { authorization: `Bearer ${token}` });
    sockets.push(socket);
    return socket;
  }

  /** deskgraph_live_commits_recovered_total of the instance: commits its live streams read from the outbox. */
  const recovered = async (instance: Instance) => {
    const text = await (await fetch(instance.url.replace('/graphql', '/metrics'))).text();
    return Number(/^deskgraph_live_commits_recovered_total (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
  };

  const health = async (instance: Instance) => (await fetch(instance.url.replace('/graphql', '/healthz'))).json() as Promise<Record<string, unknown>>;

  async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** A WAITING-tab subscription of `agent` on `instance`, listening (warm-up tickets written on `pokeOn` until heard). */
  async function waitingTab(agent: Agent, instance: Instance, pokeOn: Instance, after?: string): Promise<LiveSubscription<TicketEvent>> {
    const live = subscribe<TicketEvent>(socketOn(instance, agent.token), WAITING, after ? { after } : {}, { skip: (event) => event.ticketEvents?.ticket?.lastMessage?.body === 'warm-up' });
    await untilListening([live], () => contactWrites(asApp(pokeOn), { phone: nextPhone(), body: 'warm-up', sectorId: sales }));
    return live;
  }

  beforeAll(async () => {
    redis = await startRedisServer();
    env = { DATABASE_URL: await prepareDatabase(dir), REDIS_URL: redis.url, LOG_LEVEL: 'info', LOGIN_FAILURES_PER_EMAIL: '5' };
    // One after the other: the first bootstraps the empty database, the second finds it done.
    one = await startInstance(env, dir);
    two = await startInstance(env, dir);
    sales = await createSector(asApp(one), 'Sales');
    // OFFLINE: routing hands her nothing, so every Sales ticket waits in her WAITING tab.
    ana = await createAgent(asApp(one), 'Ana', [sales], {}, 'OFFLINE');
    bia = await createAgent(asApp(two), 'Bia', [sales], {}, 'OFFLINE');
  }, 120_000);

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.dispose()));
    await Promise.all([one?.entry.stop('SIGTERM'), two?.entry.stop('SIGTERM')]);
    killStartedEntries();
    await redis?.remove();
    await dropDatabase(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a ticket ingested on instance 2 reaches an agent on instance 1 as ADDED, and leaves as REMOVED when taken on instance 2', async () => {
    expect(await health(one)).toMatchObject({ status: 'ok', redis: 'ok' });
    const tab = await waitingTab(ana, one, two);
    const ticket = await contactWrites(asApp(two), { phone: nextPhone(), body: 'from instance 2', sectorId: sales });
    const [added] = await tab.take(1, 10_000);
    expect(added!.ticketEvents).toMatchObject({ kind: 'ADDED', ticketId: ticket.id, ticket: { lastMessage: { body: 'from instance 2' } } });
    await bia.client.request('mutation { setMyStatus(status: ONLINE) { id } }');
    // Bia's client talks to instance 2 (createAgent signed her in there).
    await bia.client.request(ACCEPT, { id: ticket.id });
    const [removed] = await tab.take(1, 10_000);
    expect(removed!.ticketEvents).toMatchObject({ kind: 'REMOVED', ticketId: ticket.id });
    await bia.client.request('mutation { setMyStatus(status: OFFLINE) { id } }');
    tab.dispose();
  });

  it('messageAdded reaches subscribers on both instances, whichever instance the message came through', async () => {
    const contact = nextPhone();
    const ticket = await contactWrites(asApp(one), { phone: contact, body: 'hello', sectorId: sales });
    const lives = [one, two].map((instance) =>
      subscribe<{ messageAdded: { body: string } }>(socketOn(instance, instance.adminToken), MESSAGES, { id: ticket.id }, { skip: (m) => m.messageAdded?.body === 'warm-up' }),
    );
    // Warm-up messages through each instance in turn, until both subscribers heard one.
    let turn = 0;
    await untilListening(lives, () => contactWrites(asApp(turn++ % 2 === 0 ? one : two), { phone: contact, body: 'warm-up', sectorId: sales }));
    await contactWrites(asApp(two), { phone: contact, body: 'through instance 2', sectorId: sales });
    await contactWrites(asApp(one), { phone: contact, body: 'through instance 1', sectorId: sales });
    for (const live of lives) {
      const heard = await live.takeUntil((m) => m.messageAdded.body === 'through instance 1', 10_000);
      expect(heard.map((m) => m.messageAdded.body)).toEqual(['through instance 2', 'through instance 1']);
      live.dispose();
    }
  });

  it('ticketPresence on instance 1 shows an agent who opened the ticket on instance 2', async () => {
    const ticket = await contactWrites(asApp(two), { phone: nextPhone(), body: 'who is on it?', sectorId: sales });
    const presence = subscribe<{ ticketPresence: { user: { name: string }; state: string }[] }>(socketOn(one, ana.token), PRESENCE, { t: ticket.id });
    expect((await presence.take(1, 10_000))[0]!.ticketPresence).toEqual([]);
    // Bia's client talks to instance 2; the lease reaches instance 1's board through Redis.
    expect((await bia.client.request<{ setTicketPresence: boolean }>(SET_PRESENCE, { t: ticket.id, s: 'TYPING' })).setTicketPresence).toBe(true);
    const [arrived] = await presence.take(1, 10_000);
    expect(arrived!.ticketPresence).toEqual([{ user: { name: 'Bia' }, state: 'TYPING' }]);
    presence.dispose();
  });

  it('ticketCountsChanged and monitoringChanged move on one instance for tickets ingested on the other', async () => {
    const watched = await createSector(asApp(two), 'Watched');
    const counts = subscribe<{ ticketCountsChanged: { waiting: number } }>(socketOn(one, one.adminToken), COUNTS);
    const panel = subscribe<{ monitoringChanged: { ticketsInQueue: number } }>(socketOn(one, one.adminToken), PANEL, { s: watched });
    const [initialCounts] = await counts.take(1, 10_000);
    const [initialPanel] = await panel.take(1, 10_000);
    expect(initialPanel!.monitoringChanged.ticketsInQueue).toBe(0);
    // Written on instance 2 until both streams on instance 1 show a change (the first may precede their listening).
    let written = 0;
    for (let round = 0; ; round++) {
      expect(round, 'instance 1 never showed the tickets written on instance 2').toBeLessThan(20);
      await contactWrites(asApp(two), { phone: nextPhone(), body: 'watched', sectorId: watched });
      written += 1;
      const heard = await Promise.all([
        counts.takeUntil((c) => c.ticketCountsChanged.waiting > initialCounts!.ticketCountsChanged.waiting, 1500).catch(() => null),
        panel.takeUntil((p) => p.monitoringChanged.ticketsInQueue > 0, 1500).catch(() => null),
      ]);
      if (heard.every(Boolean)) break;
    }
    // The last of them is counted on both streams, whatever was missed before listening.
    await contactWrites(asApp(two), { phone: nextPhone(), body: 'watched', sectorId: watched });
    written += 1;
    await panel.takeUntil((p) => p.monitoringChanged.ticketsInQueue === written, 10_000);
    const waitingNow = (await one.admin.request<{ ticketCounts: { waiting: number } }>('{ ticketCounts { waiting } }')).ticketCounts.waiting;
    await counts.takeUntil((c) => c.ticketCountsChanged.waiting === waitingNow, 10_000);
    counts.dispose();
    panel.dispose();
  });

  it('five failed logins spread over both instances throttle the e-mail on both; another e-mail is unaffected', async () => {
    const carla = await createAgent(asApp(one), 'Carla', [sales], {}, 'OFFLINE');
    const dora = await createAgent(asApp(one), 'Dora', [sales], {}, 'OFFLINE');
    for (const instance of [one, two, one, two, one]) {
      const [error] = await instance.anonymous.errors(LOGIN, { e: carla.email, p: 'Wrong-Passw0rd' });
      expect(error?.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
      expect(error?.extensions?.['reason']).not.toBe('TOO_MANY_ATTEMPTS');
    }
    // The right password now: refused on both, the budget being the shared one.
    for (const instance of [one, two]) {
      const error = await instance.anonymous.expectCode(LOGIN, { e: carla.email, p: 'Carla-Passw0rd' }, 'UNAUTHENTICATED');
      expect(error.extensions).toMatchObject({ reason: 'TOO_MANY_ATTEMPTS' });
      expect((await instance.anonymous.request<{ login: { token: string } }>(LOGIN, { e: dora.email, p: 'Dora-Passw0rd' })).login.token).toBeTruthy();
    }
  });

  it('a successful login on one instance clears the e-mail\'s failures for both', async () => {
    const frank = await createAgent(asApp(one), 'Frank', [sales], {}, 'OFFLINE');
    const wrong = async (instances: Instance[]) => {
      for (const instance of instances) expect((await instance.anonymous.expectCode(LOGIN, { e: frank.email, p: 'Wrong-Passw0rd' }, 'UNAUTHENTICATED')).extensions?.['reason']).not.toBe('TOO_MANY_ATTEMPTS');
    };
    await wrong([one, two, one, two]);
    expect((await two.anonymous.request<{ login: { token: string } }>(LOGIN, { e: frank.email, p: 'Frank-Passw0rd' })).login.token).toBeTruthy();
    // Counted from zero again: four more failures leave room for the right password (eight would not).
    await wrong([one, one, two, two]);
    expect((await one.anonymous.request<{ login: { token: string } }>(LOGIN, { e: frank.email, p: 'Frank-Passw0rd' })).login.token).toBeTruthy();
  });

  // Before the outage below: after an outage every instance reads the outbox for a while, which would hide this.
  it("one instance's own link to Redis cut while the others' stays up: what it committed meanwhile reaches the others once the link is back, each once", async () => {
    const proxy = await startTcpProxy(Number(new URL(redis.url).port));
    const three = await startInstance({ ...env, REDIS_URL: `redis://127.0.0.1:${proxy.port}` }, dir);
    try {
      const tab = await waitingTab(bia, two, three);
      proxy.cut();
      await until(async () => (await health(three)).redis === 'unavailable', 'instance 3 seeing Redis unavailable');
      expect(await health(two)).toMatchObject({ status: 'ok', redis: 'ok' });
      const first = await contactWrites(asApp(three), { phone: nextPhone(), body: 'cut off 1, instance 3', sectorId: sales });
      const second = await contactWrites(asApp(three), { phone: nextPhone(), body: 'cut off 2, instance 3', sectorId: sales });
      // Instance 2's link is up, so it reads nothing from the outbox: it cannot know yet.
      expect(await tab.nothingFor(1500)).toEqual([]);
      proxy.restore();
      const heard = await tab.takeUntil((e) => e.ticketEvents.ticketId === second.id, 15_000);
      expect(heard.map((e) => `${e.ticketEvents.kind} ${e.ticketEvents.ticketId}`)).toEqual([`ADDED ${first.id}`, `ADDED ${second.id}`]);
      const after = await contactWrites(asApp(three), { phone: nextPhone(), body: 'linked again, instance 3', sectorId: sales });
      const next = await tab.takeUntil((e) => e.ticketEvents.ticketId === after.id, 10_000);
      expect(next.map((e) => `${e.ticketEvents.kind} ${e.ticketEvents.ticketId}`)).toEqual([`ADDED ${after.id}`]);
      tab.dispose();
    } finally {
      await three.entry.stop('SIGTERM');
      await proxy.close();
    }
  });

  it('Redis stopped under running subscriptions: each instance still hears both instances\' commits (read from the outbox), /healthz says so, and fan-out resumes when it is back', async () => {
    const tabOne = await waitingTab(ana, one, two);
    const tabTwo = await waitingTab(bia, two, one);
    const eva = await createAgent(asApp(one), 'Eva', [sales], {}, 'OFFLINE');
    await redis.stop();
    await until(async () => (await health(one)).redis === 'unavailable' && (await health(two)).redis === 'unavailable', '/healthz showing Redis unavailable');
    expect(await health(one)).toMatchObject({ status: 'degraded', redis: 'unavailable' });
    expect((await fetch(one.url.replace('/graphql', '/readyz'))).status).toBe(200);

    // Each instance's own commits reach its own subscribers, and the other's are read from the outbox: in commit order, each once.
    const recoveredBefore = await Promise.all([recovered(one), recovered(two)]);
    const onOne = await contactWrites(asApp(one), { phone: nextPhone(), body: 'outage, instance 1', sectorId: sales });
    const onTwo = await contactWrites(asApp(two), { phone: nextPhone(), body: 'outage, instance 2', sectorId: sales });
    for (const tab of [tabOne, tabTwo]) {
      const heard = await tab.takeUntil((e) => e.ticketEvents.ticketId === onTwo.id, 10_000);
      expect(heard.map((e) => `${e.ticketEvents.kind} ${e.ticketEvents.ticketId}`)).toEqual([`ADDED ${onOne.id}`, `ADDED ${onTwo.id}`]);
    }
    expect(await recovered(one)).toBeGreaterThan(recoveredBefore[0]!);
    expect(await recovered(two)).toBeGreaterThan(recoveredBefore[1]!);
    // Logins keep working (the throttle counts in memory meanwhile), and wrong passwords are still refused.
    expect((await two.anonymous.request<{ login: { token: string } }>(LOGIN, { e: ana.email, p: 'Ana-Passw0rd' })).login.token).toBeTruthy();
    await one.anonymous.expectCode(LOGIN, { e: ana.email, p: 'Wrong-Passw0rd' }, 'UNAUTHENTICATED');
    // Five wrong passwords on one instance still throttle the e-mail there: the insurance limiter counted them.
    for (let i = 0; i < 5; i++) expect((await one.anonymous.expectCode(LOGIN, { e: eva.email, p: 'Wrong-Passw0rd' }, 'UNAUTHENTICATED')).extensions?.['reason']).not.toBe('TOO_MANY_ATTEMPTS');
    expect((await one.anonymous.expectCode(LOGIN, { e: eva.email, p: 'Eva-Passw0rd' }, 'UNAUTHENTICATED')).extensions).toMatchObject({ reason: 'TOO_MANY_ATTEMPTS' });

    await redis.restart();
    await until(async () => (await health(one)).redis === 'ok' && (await health(two)).redis === 'ok', '/healthz showing Redis back');
    expect(await health(two)).toMatchObject({ status: 'ok', redis: 'ok' });
    // Across instances again: written on each side until the other side hears one.
    const crossed = async (from: Instance, tab: LiveSubscription<TicketEvent>, label: string) => {
      for (let round = 0; ; round++) {
        expect(round, `${label} never crossed after Redis came back`).toBeLessThan(30);
        const ticket = await contactWrites(asApp(from), { phone: nextPhone(), body: `${label} ${round}`, sectorId: sales });
        const heard = await tab.takeUntil((e) => e.ticketEvents.ticketId === ticket.id, 1000).catch(() => null);
        if (heard) return heard;
      }
    };
    const heardOnOne = await crossed(two, tabOne, 'after, from instance 2');
    const heardOnTwo = await crossed(one, tabTwo, 'after, from instance 1');
    // What the outage's reads delivered is not delivered again.
    expect(heardOnOne.some((e) => [onOne.id, onTwo.id].includes(e.ticketEvents.ticketId))).toBe(false);
    expect(heardOnTwo.some((e) => [onOne.id, onTwo.id].includes(e.ticketEvents.ticketId))).toBe(false);
    for (const instance of [one, two]) {
      expect(instance.entry.output().match(/Redis is unavailable/g)).toHaveLength(1);
      expect(instance.entry.output().match(/Redis is back/g)).toHaveLength(1);
    }
    tabOne.dispose();
    tabTwo.dispose();
  });

  it('instance 1 killed (SIGKILL): the console resumes on instance 2 from its last cursor, gets the three it missed, then live ones, each once', async () => {
    const tab = await waitingTab(ana, one, two);
    const seen = await contactWrites(asApp(two), { phone: nextPhone(), body: 'seen on instance 1', sectorId: sales });
    const [last] = await tab.take(1, 10_000);
    expect(last!.ticketEvents).toMatchObject({ kind: 'ADDED', ticketId: seen.id });
    expect(await one.entry.stop('SIGKILL')).toBe('SIGKILL');

    const missed = [];
    for (let i = 0; i < 3; i++) missed.push((await contactWrites(asApp(two), { phone: nextPhone(), body: `missed ${i}`, sectorId: sales })).id);
    const resumed = subscribe<TicketEvent>(socketOn(two, ana.token), WAITING, { after: last!.ticketEvents.cursor });
    const replay = await resumed.take(3, 10_000);
    expect(replay.map((e) => `${e.ticketEvents.kind} ${e.ticketEvents.ticketId}`)).toEqual(missed.map((id) => `ADDED ${id}`));
    const live = [];
    for (let i = 0; i < 2; i++) live.push((await contactWrites(asApp(two), { phone: nextPhone(), body: `live ${i}`, sectorId: sales })).id);
    const sentinel = await contactWrites(asApp(two), { phone: nextPhone(), body: 'sentinel', sectorId: sales });
    const rest = await resumed.takeUntil((e) => e.ticketEvents.ticketId === sentinel.id, 10_000);
    expect(rest.map((e) => `${e.ticketEvents.kind} ${e.ticketEvents.ticketId}`)).toEqual([...live, sentinel.id].map((id) => `ADDED ${id}`));
    resumed.dispose();
  });

  it('a stopped instance (SIGTERM) exits 0 and leaves no connection open on Redis', async () => {
    const watcher = new Redis(redis.url);
    try {
      const ours = async () => ((await watcher.client('LIST')) as string).split('\n').filter((line) => /name=deskgraph-/.test(line)).length;
      // Instance 1 died by SIGKILL (the kernel closed its sockets); instance 2 holds its two clients.
      await until(async () => (await ours()) === 2, 'two Deskgraph clients on Redis: instance 2\'s');
      expect(await two.entry.stop('SIGTERM')).toBe(0);
      await until(async () => (await ours()) === 0, 'no Deskgraph client left on Redis');
    } finally {
      watcher.disconnect();
    }
  });
});

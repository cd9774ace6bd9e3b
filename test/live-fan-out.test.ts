import { decodeGlobalID } from '@pothos/plugin-relay';
import fc from 'fast-check';
import type { Client } from 'graphql-ws';
import { Repeater } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketScope } from '../db/types.js';
import type { DomainEvent } from '../resolvers/events.js';
import { LiveFanOut } from '../resolvers/live/fan-out.js';
import { canSeeTicket, reachOf, ticketKeysOf } from '../resolvers/visibility.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';
import { subscribe, wsClient, type LiveSubscription } from './helpers/ws.js';

// The live fan-out (resolvers/live/fan-out.ts): a commit is judged only by the subscriptions its
// tickets' sectors, assignees or potentials can concern, and a monitoring panel is computed once per
// push for every manager watching the same scope. Both are counted on /metrics, which is how they show.

let app: TestApp;
const sockets: Client[] = [];
const socketFor = (token: string) => {
  const socket = wsClient(app.url, { token });
  sockets.push(socket);
  return socket;
};
let phone = 0;
const write = (sectorId: string) => contactWrites(app, { phone: `55119690${String(++phone).padStart(5, '0')}`, body: 'hi', sectorId });
const SET_SECTORS = 'mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }';
const TRANSFER = 'mutation($id: ID!, $s: ID) { transferTicket(id: $id, sectorId: $s) { id } }';
const NOTE = 'mutation($t: ID!, $b: String!, $m: [ID!]) { addNote(ticketId: $t, body: $b, mentionedUserIds: $m) { id } }';
const EVENTS = 'subscription { ticketEvents { kind ticketId } }';
type Heard = { ticketEvents: { kind: string; ticketId: string } };

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${app.url.replace(/\/graphql$/, '')}/metrics`)).text();
  const line = text.split('\n').find((row) => row.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
const judged = (stream: string) => metric('deskgraph_live_commits_judged_total', `stream="${stream}"`);

/** Writes a ticket in `sectorId` until `live` hears it: it listens, and every commit before that one has been handed out. */
async function heardWrite(live: LiveSubscription<Heard>, sectorId: string): Promise<string> {
  for (let round = 0; ; round++) {
    expect(round, 'the subscription never heard a ticket of its sector').toBeLessThan(20);
    const { id } = await write(sectorId);
    const heard = await live.takeUntil((event) => event.ticketEvents.ticketId === id, 1000).catch(() => null);
    if (heard) return id;
  }
}

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

describe('the fan-out index (reachOf, ticketKeysOf)', () => {
  it('finds every subscriber the rule lets see a ticket: canSeeTicket implies a shared key', () => {
    const scope = fc.oneof(
      fc.record({ kind: fc.constant('account' as const), accountId: fc.constant(1), userId: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }) }),
      fc.record({
        kind: fc.constant('agent' as const),
        accountId: fc.constant(1),
        userId: fc.integer({ min: 1, max: 4 }),
        sectorIds: fc.subarray([1, 2, 3, 4]),
        potentials: fc.boolean(),
      }),
    );
    const ticket = fc.record({
      accountId: fc.constant(1),
      status: fc.constantFrom('WAITING' as const, 'OPEN' as const, 'CLOSED' as const),
      sectorId: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
      assigneeId: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
    });
    let seen = 0;
    fc.assert(
      fc.property(scope, ticket, (s: TicketScope, t) => {
        if (!canSeeTicket(s, t)) return;
        seen += 1;
        const keys = new Set(ticketKeysOf(t));
        expect(reachOf(s).some((key) => keys.has(key)), JSON.stringify({ s, t })).toBe(true);
      }),
      { numRuns: 2000 },
    );
    expect(seen).toBeGreaterThan(100);
  });
});

describe('ticketEvents through the index', () => {
  it('does not hand a sector A-only commit to an agent of sector B, and a ticket moved A -> B reaches B', async () => {
    const [a, b] = [await createSector(app, 'Fan A'), await createSector(app, 'Fan B')];
    const [ana, ben] = [await createAgent(app, 'Ana', [a]), await createAgent(app, 'Ben', [b])];
    const anaHears = subscribe<Heard>(socketFor(ana.token), EVENTS);
    const benHears = subscribe<Heard>(socketFor(ben.token), EVENTS);
    // Each hears a ticket of its own sector: both listen, and every earlier commit was handed out.
    await heardWrite(anaHears, a);
    await heardWrite(benHears, b);
    const before = await judged('ticketEvents');

    const ticket = await write(a);
    expect(await anaHears.take(1)).toEqual([{ ticketEvents: { kind: 'ADDED', ticketId: ticket.id } }]);
    await app.admin.request(TRANSFER, { id: ticket.id, s: b });
    expect(await anaHears.take(1)).toEqual([{ ticketEvents: { kind: 'REMOVED', ticketId: ticket.id } }]);
    expect(await benHears.take(1)).toEqual([{ ticketEvents: { kind: 'ADDED', ticketId: ticket.id } }]);

    // Two commits (the ticket written, then moved): Ana judged both, Ben only the move; 4 without the index.
    expect((await judged('ticketEvents')) - before).toBe(3);
  });

  it('hands an agent every commit from a change of their sectors until judged, then only their new sectors', async () => {
    const [a, b] = [await createSector(app, 'Join A'), await createSector(app, 'Join B')];
    const bea = await createAgent(app, 'Bea', [b]);
    const live = subscribe<Heard>(socketFor(bea.token), EVENTS);
    await heardWrite(live, b);

    // A ticket of A written right after Bea joins A, without waiting for her stream to take the change in.
    await app.admin.request(SET_SECTORS, { u: bea.id, s: [a, b] });
    const joined = await write(a);
    expect(await live.take(1)).toEqual([{ ticketEvents: { kind: 'ADDED', ticketId: joined.id } }]);

    // Left A again: once that change is judged (a ticket of B heard after it), a ticket of A is neither heard nor judged.
    await app.admin.request(SET_SECTORS, { u: bea.id, s: [b] });
    await heardWrite(live, b);
    const before = await judged('ticketEvents');
    await write(a);
    const next = await write(b);
    expect(await live.take(1)).toEqual([{ ticketEvents: { kind: 'ADDED', ticketId: next.id } }]);
    expect((await judged('ticketEvents')) - before).toBe(1);
  });
});

describe('changes of the viewer through the index', () => {
  it('hands an agent\'s ticketEvents a change of their sectors, not a change of their status', async () => {
    const [nobodys, halSector] = [await createSector(app, 'Hal nobody'), await createSector(app, 'Hal sector')];
    const hal = await createAgent(app, 'Hal', [halSector]);
    const everything = subscribe<Heard>(socketFor(app.adminToken), EVENTS);
    const halHears = subscribe<Heard>(socketFor(hal.token), EVENTS);
    await heardWrite(everything, nobodys);
    await heardWrite(halHears, halSector);
    /** ticketEvents subscriptions handed `change` and then a ticket of no one's sector (heard last by the account's subscription). */
    const judgingWith = async (change: () => Promise<unknown>) => {
      const before = await judged('ticketEvents');
      await change();
      const { id } = await write(nobodys);
      await everything.takeUntil((event) => event.ticketEvents.ticketId === id);
      return (await judged('ticketEvents')) - before;
    };
    const alone = await judgingWith(async () => {});
    expect(await judgingWith(() => hal.client.request('mutation { setMyStatus(status: INVISIBLE) { id } }'))).toBe(alone);
    // Hal judges her change, then the ticket of the sector she joined (widened or through her new keys).
    expect(await judgingWith(() => app.admin.request(SET_SECTORS, { u: hal.id, s: [halSector, nobodys] }))).toBe(alone + 2);
  });
});

describe('potentials through the index', () => {
  it('hands an unsectored ticket to an agent who may see potentials, not to one who may not', async () => {
    const [nobodys, gusSector] = [await createSector(app, 'Nobody in it'), await createSector(app, 'Gus sector')];
    const [gus, pia] = [await createAgent(app, 'Gus', [gusSector]), await createAgent(app, 'Pia', [], { canViewUnsectored: true })];
    const everything = subscribe<Heard>(socketFor(app.adminToken), EVENTS);
    const [gusHears, piaHears] = [subscribe<Heard>(socketFor(gus.token), EVENTS), subscribe<Heard>(socketFor(pia.token), EVENTS)];
    await heardWrite(everything, nobodys);
    await heardWrite(gusHears, gusSector);
    const unsectored = () => contactWrites(app, { phone: `55119692${String(++phone).padStart(5, '0')}`, body: 'which department?' });
    // Pia has no sector: a potential she hears shows that she listens.
    for (let round = 0; ; round++) {
      expect(round, 'Pia never heard a potential').toBeLessThan(20);
      const { id } = await unsectored();
      if (await piaHears.takeUntil((event) => event.ticketEvents.ticketId === id, 1000).catch(() => null)) break;
    }
    /** ticketEvents subscriptions handed one ticket, once the account's own subscription heard it. */
    const judgingOne = async (written: () => Promise<{ id: string }>) => {
      const before = await judged('ticketEvents');
      const { id } = await written();
      await everything.takeUntil((event) => event.ticketEvents.ticketId === id);
      return (await judged('ticketEvents')) - before;
    };
    const inNoSector = await judgingOne(() => write(nobodys));
    // The account-wide subscriptions judge both; of the agents, only Pia judges the potential.
    expect(await judgingOne(unsectored)).toBe(inNoSector + 1);
    expect((await piaHears.take(1))[0]!.ticketEvents.kind).toBe('ADDED');
  });
});

describe('monitoringChanged shared by scope', () => {
  it('computes one panel per push per (account, scope), whatever the number of managers, each getting the right one', async () => {
    const watched = await createSector(app, 'Panel A');
    const PANEL = 'subscription($s: ID) { monitoringChanged(sectorId: $s) { ticketsInQueue } }';
    type Panel = { monitoringChanged: { ticketsInQueue: number } };
    const queued = async (sectorId?: string) =>
      (await app.admin.request<{ monitoring: { ticketsInQueue: number } }>('query($s: ID) { monitoring(sectorId: $s) { ticketsInQueue } }', { s: sectorId })).monitoring.ticketsInQueue;
    const accountWide = [1, 2, 3].map(() => subscribe<Panel>(socketFor(app.adminToken), PANEL));
    const ofSector = subscribe<Panel>(socketFor(app.adminToken), PANEL, { s: watched });
    const [accountNow, sectorNow] = [await queued(), await queued(watched)];
    for (const live of accountWide) expect((await live.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue).toBe(accountNow);
    expect((await ofSector.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue).toBe(sectorNow);
    const before = await metric('deskgraph_monitoring_panels_computed_total');

    await write(watched);
    for (const live of accountWide) expect((await live.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue).toBe(accountNow + 1);
    expect((await ofSector.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue).toBe(sectorNow + 1);
    expect([await queued(), await queued(watched)]).toEqual([accountNow + 1, sectorNow + 1]);
    // One push: one panel for the three account-wide managers, one for the sector's.
    expect((await metric('deskgraph_monitoring_panels_computed_total')) - before).toBe(2);
  });

  it('keeps one panel per channel: managers of two channels each get their own channel\'s figures', async () => {
    const CHANNEL = 'mutation($input: CreateChannelInput!) { createChannel(input: $input) { id } }';
    const [web, chat] = [
      (await app.admin.request(CHANNEL, { input: { name: 'Fan web', kind: 'WEBCHAT' } })).createChannel.id as string,
      (await app.admin.request(CHANNEL, { input: { name: 'Fan chat', kind: 'WEBCHAT' } })).createChannel.id as string,
    ];
    const watched = await createSector(app, 'Panel channels');
    const PANEL = 'subscription($s: ID, $c: ID) { monitoringChanged(sectorId: $s, channelId: $c) { ticketsInQueue } }';
    type Panel = { monitoringChanged: { ticketsInQueue: number } };
    const [ofWeb, ofChat] = [subscribe<Panel>(socketFor(app.adminToken), PANEL, { s: watched, c: web }), subscribe<Panel>(socketFor(app.adminToken), PANEL, { s: watched, c: chat })];
    expect([(await ofWeb.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue, (await ofChat.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue]).toEqual([0, 0]);
    // One ticket on the chat channel: its panel counts it, the web panel (which judged the commit too) does not.
    await contactWrites(app, { phone: `55119693${String(++phone).padStart(5, '0')}`, body: 'hi', sectorId: watched, channelId: chat });
    expect((await ofChat.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue).toBe(1);
    expect((await ofWeb.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue).toBe(0);
  });

  it('keeps apart the panels of two USER monitors whose sector lists differ only in where one id ends: {1, 2, 34} and {12, 34}', async () => {
    const own = await startTestApp();
    const socket = (token: string) => wsClient(own.url, { token });
    const opened: Client[] = [];
    try {
      const byLocalId = new Map<string, string>();
      while (!byLocalId.has('34')) {
        const id = await createSector(own, `Numbered ${byLocalId.size + 1}`);
        byLocalId.set(decodeGlobalID(id).id, id);
      }
      const sectors = (...ids: string[]) => ids.map((id) => byLocalId.get(id)!);
      const mona = await createAgent(own, 'Mona', sectors('1', '2', '34'), { canMonitor: true });
      const mel = await createAgent(own, 'Mel', sectors('12', '34'), { canMonitor: true });
      const PANEL = 'subscription { monitoringChanged { ticketsInQueue } }';
      type Panel = { monitoringChanged: { ticketsInQueue: number } };
      opened.push(socket(mona.token), socket(mel.token));
      const [ofMona, ofMel] = opened.map((client) => subscribe<Panel>(client, PANEL));
      expect([(await ofMona!.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue, (await ofMel!.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue]).toEqual([0, 0]);
      // A ticket of sector 1: Mona's panel counts it, Mel's (which judged the commit too) does not.
      await contactWrites(own, { phone: '5511969400001', body: 'hi', sectorId: byLocalId.get('1')! });
      expect((await ofMona!.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue).toBe(1);
      expect((await ofMel!.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue).toBe(0);
    } finally {
      await Promise.all(opened.map((client) => client.dispose()));
      await own.stop();
    }
  });

  it('goes on for the managers left when one leaves; once the last leaves it judges nothing more, and a later manager gets a live panel', async () => {
    const watched = await createSector(app, 'Panel leave');
    const PANEL = 'subscription($s: ID) { monitoringChanged(sectorId: $s) { ticketsInQueue } }';
    type Panel = { monitoringChanged: { ticketsInQueue: number } };
    const inQueue = async (live: LiveSubscription<Panel>) => (await live.take(1, 5000))[0]!.monitoringChanged.ticketsInQueue;
    const active = () => metric('deskgraph_active_subscriptions');
    /** Ends `live` and waits until the server has ended it (the gauge drops once its iterator is returned). */
    const leave = async (live: LiveSubscription<Panel>) => {
      const open = await active();
      live.dispose();
      await expect.poll(active, { timeout: 5000 }).toBe(open - 1);
    };
    // The account's ticketEvents: once it hears a ticket, that commit has been handed to every route of the account.
    const everything = subscribe<Heard>(socketFor(app.adminToken), EVENTS);
    await heardWrite(everything, watched);
    const [first, second] = [subscribe<Panel>(socketFor(app.adminToken), PANEL, { s: watched }), subscribe<Panel>(socketFor(app.adminToken), PANEL, { s: watched })];
    const queued = await inQueue(first);
    expect(await inQueue(second)).toBe(queued);

    /** How many monitoring panels (this test's and the earlier tests' still open) were handed one commit of `watched`. */
    const panelsJudgingOne = async () => {
      const before = await judged('monitoringChanged');
      const { id } = await write(watched);
      await everything.takeUntil((event) => event.ticketEvents.ticketId === id);
      return (await judged('monitoringChanged')) - before;
    };

    await leave(first);
    const withSecond = await panelsJudgingOne();
    expect(await inQueue(second)).toBe(queued + 1);

    await leave(second);
    expect(await panelsJudgingOne()).toBe(withSecond - 1);

    const later = subscribe<Panel>(socketFor(app.adminToken), PANEL, { s: watched });
    expect(await inQueue(later)).toBe(queued + 2);
    await write(watched);
    expect(await inQueue(later)).toBe(queued + 3);
  });
});

describe('a subscription that ends', () => {
  const active = () => metric('deskgraph_active_subscriptions');
  /** Ends `live` and waits until the server has returned its iterator (the gauge drops then). */
  async function ended(live: LiveSubscription): Promise<void> {
    const open = await active();
    live.dispose();
    await expect.poll(active, { timeout: 5000 }).toBe(open - 1);
  }
  /** How many ticketEvents subscriptions were handed a ticket written in `sectorId`; `everything` (the account's) hears it last. */
  async function judgingOne(everything: LiveSubscription<Heard>, sectorId: string): Promise<number> {
    const before = await judged('ticketEvents');
    const { id } = await write(sectorId);
    await everything.takeUntil((event) => event.ticketEvents.ticketId === id);
    return (await judged('ticketEvents')) - before;
  }

  it('is handed no commit after it ended on its own (messageAdded losing sight of its ticket), while the admin\'s still hears them', async () => {
    const [sector, away] = [await createSector(app, 'End M'), await createSector(app, 'End M Away')];
    const eve = await createAgent(app, 'Eve', [sector]);
    const ticket = await write(sector);
    const MESSAGES = 'subscription($id: ID!) { messageAdded(ticketId: $id) { body } }';
    const [adminHears, eveHears] = [subscribe(socketFor(app.adminToken), MESSAGES, { id: ticket.id }), subscribe(socketFor(eve.token), MESSAGES, { id: ticket.id })];
    for (let round = 0; ; round++) {
      expect(round, 'messageAdded never heard a note').toBeLessThan(20);
      await app.admin.request(NOTE, { t: ticket.id, b: `probe ${round}`, m: [] });
      const heard = await Promise.all(
        [adminHears, eveHears].map((live) => live.takeUntil((pushed) => pushed.messageAdded.body === `probe ${round}`, 1000).catch(() => null)),
      );
      if (heard.every(Boolean)) break;
    }
    await app.admin.request(TRANSFER, { id: ticket.id, s: away });
    await eveHears.completed;
    // Both routes would be handed the note in the same step: only the admin's may be left to judge it.
    const before = await judged('messageAdded');
    await app.admin.request(NOTE, { t: ticket.id, b: 'after', m: [] });
    await adminHears.takeUntil((pushed) => pushed.messageAdded.body === 'after');
    expect((await judged('messageAdded')) - before).toBe(1);
  });

  it('is handed no commit after it ended, while another agent of its sector still hears them', async () => {
    const sector = await createSector(app, 'End S');
    const [cy, dee] = [await createAgent(app, 'Cy', [sector]), await createAgent(app, 'Dee', [sector])];
    const everything = subscribe<Heard>(socketFor(app.adminToken), EVENTS);
    const [cyHears, deeHears] = [subscribe<Heard>(socketFor(cy.token), EVENTS), subscribe<Heard>(socketFor(dee.token), EVENTS)];
    await heardWrite(everything, sector);
    await heardWrite(cyHears, sector);
    await heardWrite(deeHears, sector);
    const withBoth = await judgingOne(everything, sector);
    await deeHears.take(1);

    await ended(cyHears);
    expect(await judgingOne(everything, sector)).toBe(withBoth - 1);
    // Dee shares the sector's key with the route that left: she still hears the sector.
    const next = await write(sector);
    expect(await deeHears.takeUntil((event) => event.ticketEvents.ticketId === next.id)).toHaveLength(2);
  });

  it('leaves an agent\'s other subscription following changes of the agent', async () => {
    const [a, b] = [await createSector(app, 'Twice A'), await createSector(app, 'Twice B')];
    const flo = await createAgent(app, 'Flo', [b]);
    const [kept, left] = [subscribe<Heard>(socketFor(flo.token), EVENTS), subscribe<Heard>(socketFor(flo.token), EVENTS)];
    await heardWrite(kept, b);
    await heardWrite(left, b);
    await ended(left);

    await app.admin.request(SET_SECTORS, { u: flo.id, s: [a, b] });
    // A ticket of B heard after the change: the change was handed to `kept` and judged before it.
    await heardWrite(kept, b);
    const joined = await write(a);
    expect(await kept.take(1)).toEqual([{ ticketEvents: { kind: 'ADDED', ticketId: joined.id } }]);
  });

  it('stops the account\'s listener with the last one, and the next subscriber of the account listens again', async () => {
    const own = await startTestApp();
    const socket = wsClient(own.url, { token: own.adminToken });
    const ownWrite = (round: number) => contactWrites(own, { phone: `55119691${String(round).padStart(5, '0')}`, body: 'hi' });
    const ownActive = async () => {
      const text = await (await fetch(`${own.url.replace(/\/graphql$/, '')}/metrics`)).text();
      return Number(text.split('\n').find((row) => row.startsWith('deskgraph_active_subscriptions '))!.split(' ')[1]);
    };
    /** Subscribes and writes until the subscription hears one of its tickets. */
    const listening = async (round: number) => {
      const live = subscribe<Heard>(socket, EVENTS);
      for (let attempt = 0; ; attempt++) {
        expect(attempt, 'the subscription never heard a ticket').toBeLessThan(20);
        const { id } = await ownWrite(round * 100 + attempt);
        if (await live.takeUntil((event) => event.ticketEvents.ticketId === id, 1000).catch(() => null)) return live;
      }
    };
    try {
      const first = await listening(1);
      first.dispose();
      await expect.poll(ownActive, { timeout: 5000 }).toBe(0);
      const again = await listening(2);
      const { id } = await ownWrite(300);
      expect(await again.take(1)).toEqual([{ ticketEvents: { kind: 'ADDED', ticketId: id } }]);
    } finally {
      await socket.dispose();
      await own.stop();
    }
  });
});

/** A fan-out over a source the test publishes to by hand: the order of commits and pulls is the test's. */
function drivenFanOut() {
  const driven = { publish: async (_commit: DomainEvent[]): Promise<unknown> => undefined, end: () => {}, listening: false };
  const fanOut = new LiveFanOut(
    () =>
      new Repeater<DomainEvent[]>(async (push, stop) => {
        driven.listening = true;
        driven.publish = push;
        driven.end = () => stop();
        await stop;
        driven.listening = false;
      }),
  );
  return Object.assign(driven, { fanOut });
}
const created = (id: number, sectorId = 1): DomainEvent[] => [
  { id, type: 'ticket.created', accountId: 1, occurredAt: new Date(0), payload: { ticketId: id, actor: { kind: 'SYSTEM', id: null }, after: { status: 'WAITING', sectorId, assigneeId: null, channelId: 1 } } },
];
const membershipChanged = (id: number, userId: number): DomainEvent[] => [
  { id, type: 'membership.changed', accountId: 1, occurredAt: new Date(0), payload: { userId, byUserId: null, before: [1], after: [1, 2] } },
];

describe('each stream counted under its own name', () => {
  it('counts on /metrics the commits handed to messageAdded, notificationAdded, ticketPresence and ticketCountsChanged, each under its name', async () => {
    const sector = await createSector(app, 'Fan Streams');
    const away = await createSector(app, 'Fan Streams Away');
    const nia = await createAgent(app, 'Nia', [sector]);
    const ticket = await write(sector);
    const streams = ['messageAdded', 'notificationAdded', 'ticketPresence', 'ticketCountsChanged'] as const;
    const before = new Map<string, number>();
    for (const stream of streams) before.set(stream, await judged(stream));
    const socket = socketFor(nia.token);
    const messages = subscribe(socket, 'subscription($id: ID!) { messageAdded(ticketId: $id) { body } }', { id: ticket.id });
    const notifications = subscribe(socket, 'subscription { notificationAdded { message { body } } }');
    const presence = subscribe(socket, 'subscription($t: ID!) { ticketPresence(ticketId: $t) { state } }', { t: ticket.id });
    const counts = subscribe(socket, 'subscription { ticketCountsChanged { waiting open } }');
    // ticketPresence listens before its first list; the others have no such sign: probe until each hears one.
    await presence.take(1);
    const [first] = await counts.take(1);
    const total = (pushed: { ticketCountsChanged: { waiting: number; open: number } }) => pushed.ticketCountsChanged.waiting + pushed.ticketCountsChanged.open;
    for (let round = 0; ; round++) {
      expect(round, 'ticketCountsChanged never heard a ticket of its sector').toBeLessThan(20);
      await write(sector);
      if (await counts.takeUntil((pushed) => total(pushed) > total(first), 1000).catch(() => null)) break;
    }
    for (let round = 0; ; round++) {
      expect(round, 'messageAdded and notificationAdded never heard a note').toBeLessThan(20);
      await app.admin.request(NOTE, { t: ticket.id, b: `probe ${round}`, m: [nia.id] });
      const heard = await Promise.all([
        messages.takeUntil((pushed) => pushed.messageAdded.body === `probe ${round}`, 1000).catch(() => null),
        notifications.takeUntil((pushed) => pushed.notificationAdded.message.body === `probe ${round}`, 1000).catch(() => null),
      ]);
      if (heard.every(Boolean)) break;
    }
    // The ticket moved out of Nia's sight: ticketPresence and messageAdded are handed the move and end.
    await app.admin.request(TRANSFER, { id: ticket.id, s: away });
    await Promise.all([presence.completed, messages.completed]);
    for (const stream of streams) expect((await judged(stream)) - before.get(stream)!, stream).toBeGreaterThan(0);
  });
});

describe('the fan-out protocol, driven by hand', () => {
  it('keeps a route whose viewer changed widened until it has judged that change, whether it was queued or handed at once', async () => {
    const driven = drivenFanOut();
    const { fanOut } = driven;
    const publish = (commit: DomainEvent[]) => driven.publish(commit);
    let keys: readonly string[] = ['sector:1'];
    const routed = fanOut.commitsFor(1, { stream: 'ticketEvents', keys: () => keys, viewerId: 7 })[Symbol.asyncIterator]();
    const first = routed.next();
    await publish(created(1));
    expect((await first).value).toEqual(created(1));
    // The change is queued while the consumer is busy: pulling it is not judging it.
    await publish(membershipChanged(2, 7));
    expect((await routed.next()).value).toEqual(membershipChanged(2, 7));
    await publish(created(3, 2));
    // Judged: the consumer now reaches sector 2, and its next pull narrows it to its keys again.
    keys = ['sector:1', 'sector:2'];
    expect((await routed.next()).value).toEqual(created(3, 2));
    await publish(created(4, 3));
    await publish(created(5, 2));
    expect((await routed.next()).value).toEqual(created(5, 2));

    // A change handed at once to a waiting consumer is judged by its next pull.
    const waiting = routed.next();
    await publish(membershipChanged(6, 7));
    expect((await waiting).value).toEqual(membershipChanged(6, 7));
    const next = routed.next();
    await publish(created(7, 3));
    await publish(created(8, 1));
    expect((await next).value).toEqual(created(8, 1));
    expect(fanOut.judged().get('ticketEvents')).toBe(6);
  });

  it('keeps a route widened through a second change of its viewer handed while it judged the first', async () => {
    const driven = drivenFanOut();
    let keys: readonly string[] = ['sector:1'];
    const routed = driven.fanOut.commitsFor(1, { stream: 'ticketEvents', keys: () => keys, viewerId: 7 })[Symbol.asyncIterator]();
    const first = routed.next();
    await driven.publish(membershipChanged(1, 7));
    expect((await first).value).toEqual(membershipChanged(1, 7));
    await driven.publish(membershipChanged(2, 7));
    // The first change judged (new keys), the second not yet: re-indexed, it is still handed every commit.
    keys = ['sector:1', 'sector:2'];
    expect((await routed.next()).value).toEqual(membershipChanged(2, 7));
    await driven.publish(created(3, 3));
    keys = ['sector:1', 'sector:2', 'sector:3'];
    const third = routed.next();
    await driven.publish(created(4, 1));
    expect((await third).value).toEqual(created(3, 3));
  });

  it('narrows an interest whose keys go from every commit to one sector', async () => {
    const driven = drivenFanOut();
    let keys: readonly string[] = ['*'];
    const routed = driven.fanOut.commitsFor(1, { stream: 'ticketEvents', keys: () => keys, viewerId: 7 })[Symbol.asyncIterator]();
    const first = routed.next();
    await driven.publish(created(1, 9));
    expect((await first).value).toEqual(created(1, 9));
    keys = ['sector:1'];
    const next = routed.next();
    await driven.publish(created(2, 9));
    await driven.publish(created(3, 1));
    expect((await next).value).toEqual(created(3, 1));
  });

  it('keeps handing every commit to an interest in every commit after a change of its viewer', async () => {
    const driven = drivenFanOut();
    const routed = driven.fanOut.commitsFor(1, { stream: 'monitoringChanged', keys: () => ['*'], viewerId: 7 })[Symbol.asyncIterator]();
    const first = routed.next();
    await driven.publish(membershipChanged(1, 7));
    expect((await first).value).toEqual(membershipChanged(1, 7));
    // Judged the change: narrowed to its keys again, which are every commit.
    const next = routed.next();
    await driven.publish(created(2, 9));
    expect((await next).value).toEqual(created(2, 9));
  });

  it('ends every route when its source ends, each handed what was queued first', async () => {
    const driven = drivenFanOut();
    const pulled = (keys: readonly string[], viewerId: number | null) => {
      const routed = driven.fanOut.commitsFor(1, { stream: 'ticketEvents', keys: () => keys, viewerId })[Symbol.asyncIterator]();
      return { routed, first: routed.next() };
    };
    const [everything, ofSector, ofViewer] = [pulled(['*'], null), pulled(['sector:1'], null), pulled([], 7)];
    await driven.publish(created(1));
    await driven.publish(created(2));
    expect((await everything.first).value).toEqual(created(1));
    expect((await ofSector.first).value).toEqual(created(1));
    const everythingNext = everything.routed.next();
    const viewerNext = ofViewer.first;
    driven.end();
    await expect.poll(() => driven.listening).toBe(false);
    expect(await everythingNext).toEqual({ done: false, value: created(2) });
    expect(await everything.routed.next()).toEqual({ done: true, value: undefined });
    expect(await ofSector.routed.next()).toEqual({ done: false, value: created(2) });
    expect(await ofSector.routed.next()).toEqual({ done: true, value: undefined });
    expect(await viewerNext).toEqual({ done: true, value: undefined });
  });

  it('hands an ended route nothing, not even a change of its viewer', async () => {
    const driven = drivenFanOut();
    const [ended, kept] = [1, 2].map(() => driven.fanOut.commitsFor(1, { stream: 'ticketEvents', keys: () => ['sector:1'], viewerId: 7 }));
    const [endedFirst, keptFirst] = [ended![Symbol.asyncIterator]().next(), kept![Symbol.asyncIterator]().next()];
    ended!.end();
    expect(await endedFirst).toEqual({ done: true, value: undefined });
    await driven.publish(membershipChanged(1, 7));
    expect((await keptFirst).value).toEqual(membershipChanged(1, 7));
    expect(driven.fanOut.judged().get('ticketEvents')).toBe(1);
  });

  it('never listens for a subscription ended before its first pull', async () => {
    const driven = drivenFanOut();
    const commits = driven.fanOut.commitsFor(1, { stream: 'ticketEvents', keys: () => ['sector:1'], viewerId: 7 });
    commits.end();
    expect(await commits[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
    expect(driven.listening).toBe(false);
  });
});

describe('a subscription that stops reading', () => {
  it('is handed what was queued, then ends, past 1,024 pending commits; the fan-out then stops listening', async () => {
    const driven = drivenFanOut();
    const { fanOut } = driven;
    const publish = (commit: DomainEvent[]) => driven.publish(commit);
    const stalled = fanOut.commitsFor(1, { stream: 'ticketEvents', keys: () => ['sector:1'], viewerId: 7 })[Symbol.asyncIterator]();
    const first = stalled.next();
    expect(driven.listening).toBe(true);
    for (let id = 1; id <= 1100; id++) await publish(created(id));
    expect((await first).value).toEqual(created(1));
    let queued = 0;
    for (let next = await stalled.next(); !next.done; next = await stalled.next()) queued++;
    expect(queued).toBe(1024);
    expect(fanOut.judged().get('ticketEvents')).toBe(1025);
    await expect.poll(() => driven.listening).toBe(false);
  });
});

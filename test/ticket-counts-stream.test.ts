import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_SECRET, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { hs256Token } from './helpers/tokens.js';
import { subscribe, wsClient } from './helpers/ws.js';

// ticketCountsChanged pushes a change of any one figure alone (closed, open, a sector's queue) and
// never the same counts twice: each change below follows a commit that moves nothing (a message on a
// visible waiting ticket), whose read must not reach the subscriber.

const COUNTS = 'subscription { ticketCountsChanged { waiting open closed bySector { sectorId waitingCount } } }';
type Counts = { waiting: number; open: number; closed: number; bySector: { sectorId: string; waitingCount: number }[] };

let app: TestApp;
let a: string;
let b: string;
let mia: Agent; // A and B
let bea: Agent; // A
const sockets: Client[] = [];

beforeAll(async () => {
  app = await startTestApp();
  [a, b] = [await createSector(app, 'A'), await createSector(app, 'B')];
  mia = await createAgent(app, 'Mia', [a, b]);
  bea = await createAgent(app, 'Bea', [a]);
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

describe('ticketCountsChanged', () => {
  it('pushes each figure changing alone, and nothing for a commit that moves none', async () => {
    const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id } }';
    const quiet = '5511975000001';
    await contactWrites(app, { phone: quiet, body: 'waiting in A', sectorId: a });
    const moving = await contactWrites(app, { phone: '5511975000002', body: 'waiting in A, then B', sectorId: a });
    const closing = await contactWrites(app, { phone: '5511975000003', body: 'Bea closes it', sectorId: a });
    const handed = await contactWrites(app, { phone: '5511975000004', body: 'Bea hands it over', sectorId: a });
    await bea.client.request(ACCEPT, { id: closing.id });
    await bea.client.request(ACCEPT, { id: handed.id });

    const socket = wsClient(app.url, { authorization: `Bearer ${mia.token}` });
    sockets.push(socket);
    const live = subscribe<{ ticketCountsChanged: Counts }>(socket, COUNTS);
    const [inA, inB] = [a, b];
    const counts = (waitingA: number, waitingB: number, open: number, closed: number): Counts => ({
      waiting: waitingA + waitingB,
      open,
      closed,
      bySector: [
        { sectorId: inA, waitingCount: waitingA },
        { sectorId: inB, waitingCount: waitingB },
      ],
    });
    expect((await live.take(1))[0]!.ticketCountsChanged).toEqual(counts(2, 0, 0, 0));

    // Warm-up: a ticket waiting in B, poked until the stream shows it (proves the listener is in place).
    const warm = '5511975000005';
    await contactWrites(app, { phone: warm, body: 'waiting in B', sectorId: b });
    // Lets the 250 ms coalescing window lapse with nothing pushed, then commits what moves no figure:
    // it is read on its own, and that read must reach nobody.
    const quietCommit = async () => {
      expect(await live.nothingFor(300)).toEqual([]);
      await contactWrites(app, { phone: quiet, body: 'moves nothing' });
    };
    for (let round = 0; ; round++) {
      expect(round, 'the stream never showed the warm-up ticket').toBeLessThan(20);
      const heard = await live.takeUntil((pushed) => pushed.ticketCountsChanged.waiting === 3, 1000).catch(() => null);
      if (heard) break;
      await contactWrites(app, { phone: warm, body: 'poke' });
    }

    await quietCommit();
    await bea.client.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: closing.id });
    expect((await live.take(1))[0]!.ticketCountsChanged, 'closed alone').toEqual(counts(2, 1, 0, 1));

    await quietCommit();
    await app.admin.request('mutation($id: ID!, $u: ID!) { transferTicket(id: $id, userId: $u) { id } }', { id: handed.id, u: mia.id });
    expect((await live.take(1))[0]!.ticketCountsChanged, 'open alone').toEqual(counts(2, 1, 1, 1));

    await quietCommit();
    await app.admin.request('mutation($id: ID!, $s: ID!) { transferTicket(id: $id, sectorId: $s) { id } }', { id: moving.id, s: b });
    expect((await live.take(1))[0]!.ticketCountsChanged, 'a queue alone').toEqual(counts(1, 2, 1, 1));
  });

  it('ends when I am deactivated inside the 250 ms window that gathers commits', async () => {
    const zed = await createAgent(app, 'Zed', [a]);
    const socket = wsClient(app.url, { authorization: `Bearer ${zed.token}` });
    sockets.push(socket);
    const live = subscribe<{ ticketCountsChanged: Counts }>(socket, COUNTS);
    const start = (await live.take(1))[0]!.ticketCountsChanged.waiting;
    const contact = '5511975000006';
    await contactWrites(app, { phone: contact, body: 'warm-up', sectorId: a });
    for (let round = 0; ; round++) {
      expect(round, 'the stream never showed the warm-up ticket').toBeLessThan(20);
      const heard = await live.takeUntil((pushed) => pushed.ticketCountsChanged.waiting === start + 1, 1000).catch(() => null);
      if (heard) break;
      await contactWrites(app, { phone: contact, body: 'poke' });
    }
    // Just pushed: this commit opens a window, and the deactivation lands inside it.
    await contactWrites(app, { phone: '5511975000007', body: 'opens the window', sectorId: a });
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }', { id: zed.id });
    await live.completed;
  }, 10_000);
});

describe('the coalesced streams when the token expires', () => {
  it('ticketCountsChanged and monitoringChanged complete cleanly, with no error, when the token expires', async () => {
    const { me } = await app.admin.request('{ me { id } }');
    // The server's timer for the expiry runs on the wall clock; 4 s leaves room for a loaded machine.
    const shortLived = await hs256Token(TEST_SECRET, { sub: me.id, expiresIn: Math.floor(Date.now() / 1000) + 4 });
    const socket = wsClient(app.url, { authorization: `Bearer ${shortLived}` });
    sockets.push(socket);
    const counts = subscribe<{ ticketCountsChanged: Counts }>(socket, COUNTS);
    const panel = subscribe<{ monitoringChanged: { ticketsInQueue: number } }>(socket, 'subscription { monitoringChanged { ticketsInQueue } }');
    expect((await counts.take(1))[0]!.ticketCountsChanged.waiting).toEqual(expect.any(Number));
    expect((await panel.take(1))[0]!.monitoringChanged.ticketsInQueue).toEqual(expect.any(Number));
    await Promise.all([counts.completed, panel.completed]);
    // An error (the stream read past its end) would have been queued before the completion.
    expect(await counts.nothingFor(0)).toEqual([]);
    expect(await panel.nothingFor(0)).toEqual([]);
  });
});

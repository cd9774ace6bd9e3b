import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../db/store.js';
import { domainEventsOf } from '../resolvers/events.js';
import { commitRecordOf } from '../resolvers/live/resume.js';
import { createDomainPubSub } from '../schema/pubsub.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { prepareDatabase } from './helpers/database.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { subscribe, wsClient } from './helpers/ws.js';

const LEASE_MS = 1500;
const SET = 'mutation($t: ID!, $s: PresenceState!) { setTicketPresence(ticketId: $t, state: $s) }';
const PRESENCE = 'subscription($t: ID!) { ticketPresence(ticketId: $t) { user { name } state expiresAt } }';
type Presence = { ticketPresence: { user: { name: string }; state: string; expiresAt: string }[] };

let app: TestApp;
let sales: string;
let support: string;
let ana: Agent;
let bruno: Agent;
let carla: Agent;
const sockets: Client[] = [];

beforeAll(async () => {
  app = await startTestApp({ presenceLeaseMs: LEASE_MS });
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
  ana = await createAgent(app, 'Ana', [sales]);
  bruno = await createAgent(app, 'Bruno', [sales]);
  carla = await createAgent(app, 'Carla', [support]);
});
afterAll(async () => {
  for (const socket of sockets) await socket.dispose();
  await app.stop();
});

function watch(agent: Agent, ticketId: string) {
  const socket = wsClient(app.url, { authorization: `Bearer ${agent.token}` });
  sockets.push(socket);
  return subscribe<Presence>(socket, PRESENCE, { t: ticketId });
}
const who = (result: Presence) => result.ticketPresence.map((entry) => `${entry.user.name} ${entry.state}`);

describe('ticket presence', () => {
  it('shows who else is on the ticket now, then each change, until a lease runs out unrenewed', async () => {
    const ticket = (await contactWrites(app, { phone: '5511950000001', body: 'hi', sectorId: sales })).id;
    const anaSees = watch(ana, ticket);
    expect(who((await anaSees.take(1))[0]!)).toEqual([]);

    const before = Date.now();
    expect((await bruno.client.request(SET, { t: ticket, s: 'VIEWING' })).setTicketPresence).toBe(true);
    const [arrived] = await anaSees.take(1);
    expect(who(arrived!)).toEqual(['Bruno VIEWING']);
    expect(new Date(arrived!.ticketPresence[0]!.expiresAt).getTime()).toBeGreaterThanOrEqual(before + LEASE_MS);

    // Bruno's own view leaves himself out and starts with Ana's absence: she set nothing.
    const brunoSees = watch(bruno, ticket);
    expect(who((await brunoSees.take(1))[0]!)).toEqual([]);

    await bruno.client.request(SET, { t: ticket, s: 'TYPING' });
    expect(who((await anaSees.take(1))[0]!)).toEqual(['Bruno TYPING']);

    // Renewed well within the lease for longer than one lease: it holds, and renewals push nothing.
    const renewedSince = Date.now();
    while (Date.now() - renewedSince < 2 * LEASE_MS) {
      await bruno.client.request(SET, { t: ticket, s: 'TYPING' });
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 5)); // the console's renewal cadence
    }
    expect(await anaSees.nothingFor(0)).toEqual([]);

    // Not renewed: the lease runs out and the empty list follows.
    const lastRenewal = Date.now();
    await bruno.client.request(SET, { t: ticket, s: 'TYPING' });
    expect(who((await anaSees.take(1))[0]!)).toEqual([]);
    expect(Date.now() - lastRenewal).toBeGreaterThanOrEqual(LEASE_MS - 50);
  });

  it('is NOT_FOUND, like a missing ticket, for an agent who may not see it, both to set and to watch', async () => {
    const ticket = (await contactWrites(app, { phone: '5511950000002', body: 'hi', sectorId: sales })).id;
    await carla.client.expectCode(SET, { t: ticket, s: 'VIEWING' }, 'NOT_FOUND');
    await carla.client.expectCode(SET, { t: Buffer.from('Ticket:99999').toString('base64'), s: 'VIEWING' }, 'NOT_FOUND');
    const [refused] = await watch(carla, ticket).take(1);
    expect(JSON.stringify(refused)).toMatch(/NOT_FOUND/);
    // Nobody sees Carla there either: her refused call took no lease.
    const anaSees = watch(ana, ticket);
    expect(who((await anaSees.take(1))[0]!)).toEqual([]);
  });

  it('stops at once for an agent who loses sight of the ticket, and never shows it to them again', async () => {
    const ticket = (await contactWrites(app, { phone: '5511950000003', body: 'hi', sectorId: sales })).id;
    const anaSees = watch(ana, ticket);
    const carlaCannot = watch(carla, ticket);
    expect(JSON.stringify((await carlaCannot.take(1))[0])).toMatch(/NOT_FOUND/);
    expect(who((await anaSees.take(1))[0]!)).toEqual([]);
    await bruno.client.request(SET, { t: ticket, s: 'VIEWING' });
    expect(who((await anaSees.take(1))[0]!)).toEqual(['Bruno VIEWING']);

    await app.admin.request('mutation($id: ID!, $s: ID) { transferTicket(id: $id, sectorId: $s) { id } }', { id: ticket, s: support });
    await anaSees.completed;
    await bruno.client.expectCode(SET, { t: ticket, s: 'TYPING' }, 'NOT_FOUND'); // Bruno lost it too
    // Now Carla's: she watches, and sees the ADMIN arrive (Bruno may still show until his lease ends).
    const carlaSees = watch(carla, ticket);
    await app.admin.request(SET, { t: ticket, s: 'TYPING' });
    const adminName = (await app.admin.request('{ me { name } }')).me.name;
    let seen: string[] = [];
    while (!seen.includes(`${adminName} TYPING`)) seen = who((await carlaSees.take(1))[0]!);
    expect(seen.filter((entry) => entry !== 'Bruno VIEWING')).toEqual([`${adminName} TYPING`]);
    expect(await anaSees.nothingFor(0)).toEqual([]);
  });
});

describe('presence across instances', () => {
  it('is rebuilt by every instance from the pub/sub messages alone, lease included', async () => {
    // Two instances' pub/subs on one event target: what @graphql-yoga/redis-event-target makes of REDIS_URL.
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-presence-'));
    const store = await openStore({ url: await prepareDatabase(dir) });
    const shared = new EventTarget();
    const first = createDomainPubSub(domainEventsOf(store), commitRecordOf({ store }), { eventTarget: shared, presenceLeaseMs: LEASE_MS });
    const second = createDomainPubSub(domainEventsOf(store), commitRecordOf({ store }), { eventTarget: shared, presenceLeaseMs: LEASE_MS });
    try {
      const changed = new Promise<void>((resolve) => second.presence.board.watch(1, 7, resolve));
      first.presence.publish({ accountId: 1, ticketId: 7, userId: 3, state: 'TYPING', expiresAt: Date.now() + LEASE_MS });
      await changed;
      expect(second.presence.board.entriesOf(1, 7).map((entry) => `${entry.userId} ${entry.state}`)).toEqual(['3 TYPING']);
      const expired = new Promise<void>((resolve) => second.presence.board.watch(1, 7, resolve));
      await expired;
      expect(second.presence.board.entriesOf(1, 7)).toEqual([]);
      // A message whose lease already ran out (a late delivery) shows nobody.
      first.presence.publish({ accountId: 1, ticketId: 7, userId: 4, state: 'VIEWING', expiresAt: Date.now() - 1 });
      const next = new Promise<void>((resolve) => second.presence.board.watch(1, 7, resolve));
      first.presence.publish({ accountId: 1, ticketId: 7, userId: 5, state: 'VIEWING', expiresAt: Date.now() + LEASE_MS });
      await next;
      expect(second.presence.board.entriesOf(1, 7).map((entry) => entry.userId)).toEqual([5]);
    } finally {
      first.stop();
      second.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

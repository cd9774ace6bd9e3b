import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { subscribe, wsClient } from './helpers/ws.js';

// The presence board's bookkeeping seen through ticketPresence: several agents on one ticket are
// listed in one order whoever came first, and each ticket keeps its own leases.

const SET = 'mutation($t: ID!, $s: PresenceState!) { setTicketPresence(ticketId: $t, state: $s) }';
const PRESENCE = 'subscription($t: ID!) { ticketPresence(ticketId: $t) { user { name } state } }';
type Presence = { ticketPresence: { user: { name: string }; state: string }[] };

let app: TestApp;
let ana: Agent;
let bruno: Agent;
let carla: Agent;
let sales: string;
const sockets: Client[] = [];

beforeAll(async () => {
  app = await startTestApp({ presenceLeaseMs: 60_000 });
  sales = await createSector(app, 'Sales');
  ana = await createAgent(app, 'Ana', [sales]);
  bruno = await createAgent(app, 'Bruno', [sales]);
  carla = await createAgent(app, 'Carla', [sales]);
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

const who = (result: Presence) => result.ticketPresence.map((entry) => `${entry.user.name} ${entry.state}`);

describe('ticketPresence with several agents and tickets', () => {
  it('lists others by user, not by arrival, and keeps each ticket to itself', async () => {
    const first = (await contactWrites(app, { phone: '5511974000001', body: 'one', sectorId: sales })).id;
    const second = (await contactWrites(app, { phone: '5511974000002', body: 'two', sectorId: sales })).id;
    const socket = wsClient(app.url, { authorization: `Bearer ${ana.token}` });
    sockets.push(socket);
    const anaSees = subscribe<Presence>(socket, PRESENCE, { t: first });
    expect(who((await anaSees.take(1))[0]!)).toEqual([]);

    // Carla (created after Bruno) arrives first; the list is still Bruno, Carla.
    await carla.client.request(SET, { t: first, s: 'VIEWING' });
    expect(who((await anaSees.take(1))[0]!)).toEqual(['Carla VIEWING']);
    await bruno.client.request(SET, { t: first, s: 'VIEWING' });
    expect(who((await anaSees.take(1))[0]!)).toEqual(['Bruno VIEWING', 'Carla VIEWING']);

    // Bruno types on the other ticket: nothing changes here; Carla's next change shows Bruno still VIEWING.
    await bruno.client.request(SET, { t: second, s: 'TYPING' });
    await carla.client.request(SET, { t: first, s: 'TYPING' });
    expect(who((await anaSees.take(1))[0]!)).toEqual(['Bruno VIEWING', 'Carla TYPING']);
  });
});

describe('ticketPresence follows the rule on every commit', () => {
  const endsWithin = 10_000;
  let support: string;
  let phone = 5511974000100;
  const ticketIn = async (sectorId: string) => (await contactWrites(app, { phone: String((phone += 1)), body: 'hi', sectorId })).id;
  const watch = (agent: Agent, ticket: string) => {
    const socket = wsClient(app.url, { authorization: `Bearer ${agent.token}` });
    sockets.push(socket);
    return subscribe<Presence>(socket, PRESENCE, { t: ticket });
  };
  beforeAll(async () => {
    support = await createSector(app, 'Support');
  });

  it('refuses a ticket I cannot see with the NOT_FOUND of a missing one', async () => {
    const [refused] = await watch(ana, await ticketIn(support)).take(1);
    expect((refused as { errors?: { message: string; extensions?: { code?: string } }[] }).errors?.[0]).toMatchObject({
      message: 'Ticket not found',
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('ends at once when the ticket moves out of my sight, with no lease pending', async () => {
    const fay = await createAgent(app, 'Fay', [sales]);
    const ticket = await ticketIn(sales);
    const live = watch(fay, ticket);
    expect(who((await live.take(1))[0]!)).toEqual([]);
    await app.admin.request('mutation($id: ID!, $s: ID!) { transferTicket(id: $id, sectorId: $s) { id } }', { id: ticket, s: support });
    await live.completed;
  }, endsWithin);

  it('ends at once when I leave the sector', async () => {
    const gil = await createAgent(app, 'Gil', [sales]);
    const live = watch(gil, await ticketIn(sales));
    expect(who((await live.take(1))[0]!)).toEqual([]);
    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: gil.id, s: [support] });
    await live.completed;
  }, endsWithin);

  it('ends when I am deactivated', async () => {
    const hal = await createAgent(app, 'Hal', [sales]);
    const live = watch(hal, await ticketIn(sales));
    expect(who((await live.take(1))[0]!)).toEqual([]);
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }', { id: hal.id });
    await live.completed;
  }, endsWithin);

  it('goes on through a message on the ticket and another ticket moving out of sight', async () => {
    const ivy = await createAgent(app, 'Ivy', [sales]);
    const ticket = await ticketIn(sales);
    const another = await ticketIn(sales);
    const live = watch(ivy, ticket);
    expect(who((await live.take(1))[0]!)).toEqual([]);
    await contactWrites(app, { phone: String(phone - 1), body: 'a message on the watched ticket' });
    await app.admin.request('mutation($id: ID!, $s: ID!) { transferTicket(id: $id, sectorId: $s) { id } }', { id: another, s: support });
    await carla.client.request(SET, { t: ticket, s: 'VIEWING' });
    expect(who((await live.take(1))[0]!)).toEqual(['Carla VIEWING']);
    await carla.client.request(SET, { t: ticket, s: 'TYPING' });
    expect(who((await live.take(1))[0]!)).toEqual(['Carla TYPING']);
  });

  it('goes on through events of no ticket placement: a change of my sectors keeping the ticket in sight, a note\'s notification', async () => {
    const jon = await createAgent(app, 'Jon', [sales]);
    const ticket = await ticketIn(sales);
    const live = watch(jon, ticket);
    expect(who((await live.take(1))[0]!)).toEqual([]);
    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: jon.id, s: [sales, support] });
    // One commit of the ticket: the note's message.created, then a notification.created that places no ticket.
    await app.admin.request('mutation($t: ID!, $m: [ID!]) { addNote(ticketId: $t, body: "look", mentionedUserIds: $m) { id } }', { t: ticket, m: [carla.id] });
    await carla.client.request(SET, { t: ticket, s: 'VIEWING' });
    expect(who((await live.take(1))[0]!)).toEqual(['Carla VIEWING']);
    await carla.client.request(SET, { t: ticket, s: 'TYPING' });
    expect(who((await live.take(1))[0]!)).toEqual(['Carla TYPING']);
  });
});

describe('ticketPresence when one of several leaves', () => {
  it('keeps showing the others: a lease running out, a watcher going away', async () => {
    const short = await startTestApp({ presenceLeaseMs: 1500 });
    const local: Client[] = [];
    try {
      const desk = await createSector(short, 'Desk');
      const other = await createSector(short, 'Other');
      const [eva, dora, bruno, carla] = [
        await createAgent(short, 'Eva', [desk]),
        await createAgent(short, 'Dora', [desk]),
        await createAgent(short, 'Bruno', [desk]),
        await createAgent(short, 'Carla', [desk]),
      ];
      const ticket = (await contactWrites(short, { phone: '5511974000003', body: 'three', sectorId: desk })).id;
      const watch = (agent: Agent) => {
        const socket = wsClient(short.url, { authorization: `Bearer ${agent.token}` });
        local.push(socket);
        return subscribe<Presence>(socket, PRESENCE, { t: ticket });
      };
      const evaSees = watch(eva);
      const doraSees = watch(dora);
      expect(who((await evaSees.take(1))[0]!)).toEqual([]);
      expect(who((await doraSees.take(1))[0]!)).toEqual([]);

      // Dora's watch ends (she leaves the sector); Eva's goes on.
      await short.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: dora.id, s: [other] });
      await doraSees.completed;
      await bruno.client.request(SET, { t: ticket, s: 'VIEWING' });
      expect(who((await evaSees.take(1))[0]!)).toEqual(['Bruno VIEWING']);

      // Bruno's lease runs out first; Carla's, taken later, still holds.
      await carla.client.request(SET, { t: ticket, s: 'VIEWING' });
      expect(who((await evaSees.take(1))[0]!)).toEqual(['Bruno VIEWING', 'Carla VIEWING']);
      expect(who((await evaSees.take(1))[0]!)).toEqual(['Carla VIEWING']);
      expect(who((await evaSees.take(1))[0]!)).toEqual([]);
    } finally {
      await Promise.all(local.map((socket) => socket.dispose()));
      await short.stop();
    }
  });
});

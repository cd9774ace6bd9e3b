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

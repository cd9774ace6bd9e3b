import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';
import { subscribe, untilListening, wsClient } from './helpers/ws.js';

// The live rules beside ticketEvents: counts, messages and the monitoring panel follow membership,
// status and active changes of the subscriber (or of agents) without any ticket event.

let app: TestApp;
const sockets: Client[] = [];
const socketFor = (token: string) => {
  const socket = wsClient(app.url, { token });
  sockets.push(socket);
  return socket;
};
let phone = 0;
const write = (sectorId: string, body = 'hi') => contactWrites(app, { phone: `55119680${String(++phone).padStart(5, '0')}`, body, sectorId });
const SET_SECTORS = 'mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }';

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

describe('ticketCountsChanged', () => {
  it('recounts when my sectors change, with no ticket moving, and ends when I am deactivated', async () => {
    const [mine, other] = [await createSector(app, 'Mine'), await createSector(app, 'Other')];
    for (let i = 0; i < 2; i++) await write(other);
    const gus = await createAgent(app, 'Gus', [mine]);
    type Counts = { ticketCountsChanged: { waiting: number } };
    const live = subscribe<Counts>(socketFor(gus.token), 'subscription { ticketCountsChanged { waiting open closed } }');
    expect((await live.take(1))[0]!.ticketCountsChanged.waiting).toBe(0);
    // Listening once a ticket of my sector shows in a push.
    let written = 0;
    for (let round = 0; ; round++) {
      expect(round).toBeLessThan(20);
      await write(mine);
      written += 1;
      const heard = await live.takeUntil((counts) => counts.ticketCountsChanged.waiting > 0, 500).catch(() => null);
      if (!heard) continue;
      if (heard.at(-1)!.ticketCountsChanged.waiting !== written) await live.takeUntil((counts) => counts.ticketCountsChanged.waiting === written, 5000);
      break;
    }

    await app.admin.request(SET_SECTORS, { u: gus.id, s: [mine, other] });
    await live.takeUntil((counts) => counts.ticketCountsChanged.waiting === written + 2, 5000);
    await app.admin.request(SET_SECTORS, { u: gus.id, s: [] });
    await live.takeUntil((counts) => counts.ticketCountsChanged.waiting === 0, 5000);

    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }', { id: gus.id });
    await live.completed;
  });
});

describe('messageAdded', () => {
  it('ends when a membership change takes the ticket out of my sight', async () => {
    const sales = await createSector(app, 'Sales');
    const support = await createSector(app, 'Support');
    const dora = await createAgent(app, 'Dora', [sales]);
    const ticket = await write(sales, 'first');
    const ticketPhone = `55119680${String(phone).padStart(5, '0')}`;
    const live = subscribe<{ messageAdded: { body: string } }>(socketFor(dora.token), 'subscription($id: ID!) { messageAdded(ticketId: $id) { body } }', { id: ticket.id }, {
      skip: (message) => message.messageAdded?.body === 'warm-up',
    });
    await untilListening([live], () => contactWrites(app, { phone: ticketPhone, body: 'warm-up' }));
    await contactWrites(app, { phone: ticketPhone, body: 'seen' });
    expect((await live.take(1))[0]!.messageAdded.body).toBe('seen');
    await app.admin.request(SET_SECTORS, { u: dora.id, s: [support] });
    await live.completed;
    expect(await live.nothingFor(0)).toEqual([]);
  });
});

describe('monitoringChanged', () => {
  it('pushes when an agent changes status, with no ticket moving', async () => {
    const watched = await createSector(app, 'Watched');
    const pia = await createAgent(app, 'Pia', [watched]);
    type Panel = { monitoringChanged: { ticketsInQueue: number; agents: { online: number; paused: number } } };
    const live = subscribe<Panel>(socketFor(app.adminToken), 'subscription($s: ID) { monitoringChanged(sectorId: $s) { ticketsInQueue agents { online paused } } }', { s: watched });
    expect((await live.take(1))[0]!.monitoringChanged).toEqual({ ticketsInQueue: 0, agents: { online: 1, paused: 0 } });
    let written = 0;
    for (let round = 0; ; round++) {
      expect(round).toBeLessThan(20);
      await write(watched);
      written += 1;
      const heard = await live.takeUntil((panel) => panel.monitoringChanged.ticketsInQueue > 0, 1500).catch(() => null);
      if (!heard) continue;
      if (heard.at(-1)!.monitoringChanged.ticketsInQueue !== written) await live.takeUntil((panel) => panel.monitoringChanged.ticketsInQueue === written, 5000);
      break;
    }
    await pia.client.request('mutation { setMyStatus(status: PAUSED) { id } }');
    const [last] = (await live.takeUntil((panel) => panel.monitoringChanged.agents.paused === 1, 5000)).slice(-1);
    expect(last!.monitoringChanged).toEqual({ ticketsInQueue: written, agents: { online: 0, paused: 1 } });
  });
});

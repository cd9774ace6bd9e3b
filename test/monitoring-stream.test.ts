import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';
import { subscribe, wsClient } from './helpers/ws.js';

// monitoringChanged pushes after each kind of commit that moves a figure on its own: a membership
// change (agents), a ticket-only change (an accept: the queue), a message-only change (a first answer).

const PANEL = `subscription($s: ID) { monitoringChanged(sectorId: $s) { ticketsInQueue averageFirstResponseSeconds agents { online } } }`;
type Panel = { ticketsInQueue: number; averageFirstResponseSeconds: number | null; agents: { online: number } };

let app: TestApp;
const sockets: Client[] = [];
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

describe('monitoringChanged', () => {
  it('pushes after a membership change, an accept and a first answer, each alone in its commit', async () => {
    const watched = await createSector(app, 'Watched');
    const elsewhere = await createSector(app, 'Elsewhere');
    const kim = await createAgent(app, 'Kim', [elsewhere]);
    const socket = wsClient(app.url, { authorization: `Bearer ${app.adminToken}` });
    sockets.push(socket);
    const live = subscribe<{ monitoringChanged: Panel }>(socket, PANEL, { s: watched });
    expect((await live.take(1))[0]!.monitoringChanged).toEqual({ ticketsInQueue: 0, averageFirstResponseSeconds: null, agents: { online: 0 } });

    // Warm-up: tickets written until the panel shows one (proves the listener is in place).
    let written = 0;
    let first = '';
    for (let round = 0; ; round++) {
      expect(round, 'the panel never showed the warm-up tickets').toBeLessThan(20);
      const ticket = await contactWrites(app, { phone: `55119760${String(round).padStart(5, '0')}`, body: 'hi', sectorId: watched });
      first ||= ticket.id;
      written += 1;
      const heard = await live.takeUntil((panel) => panel.monitoringChanged.ticketsInQueue > 0, 1500).catch(() => null);
      if (!heard) continue;
      if (heard.at(-1)!.monitoringChanged.ticketsInQueue !== written) await live.takeUntil((panel) => panel.monitoringChanged.ticketsInQueue === written, 5000);
      break;
    }

    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: kim.id, s: [watched] });
    await live.takeUntil((panel) => panel.monitoringChanged.agents.online === 1, 5000);

    await kim.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: first });
    await live.takeUntil((panel) => panel.monitoringChanged.ticketsInQueue === written - 1, 5000);

    await kim.client.request('mutation($id: ID!) { sendMessage(ticketId: $id, body: "hello") { id } }', { id: first });
    await live.takeUntil((panel) => panel.monitoringChanged.averageFirstResponseSeconds !== null, 5000);
  }, 30_000);
});

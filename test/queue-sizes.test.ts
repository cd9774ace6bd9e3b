import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { subscribe, wsClient } from './helpers/ws.js';

// Every agent sees how many contacts wait in each of their sectors' queues (Sector.waitingCount and
// TicketCounts.bySector), live through ticketCountsChanged; read from the count table, batched.

const SECTORS = '{ sectors { id name waitingCount } }';
const BY_SECTOR = '{ ticketCounts { waiting bySector { sector { name } waitingCount } } }';
const COUNTS = 'subscription { ticketCountsChanged { waiting bySector { sector { name } waitingCount } } }';
const WAITING_IN = 'query($s: ID) { tickets(status: WAITING, sectorId: $s) { totalCount } }';

let app: TestApp;
let statements: string[] = [];
let ids: Record<string, string>;
let ana: Agent; // Sales + Support
const sockets: Client[] = [];
let phone = 0;
const write = (sector: string | null) =>
  contactWrites(app, { phone: `55119400${String(++phone).padStart(5, '0')}`, body: 'Hello', ...(sector ? { sectorId: ids[sector]! } : {}) });
const byName = (rows: { name?: string; sector?: { name: string }; waitingCount: number }[]) =>
  Object.fromEntries(rows.map((row) => [row.name ?? row.sector!.name, row.waitingCount]));

beforeAll(async () => {
  // Background readers (outbox relay, webhook sender, the relay lease) run on timers; slowed so only a request's own statements count.
  const quiet = 3_600_000;
  app = await startTestApp({ onStatement: (sql) => statements.push(sql), relay: { pollMs: quiet, leaseMs: quiet }, pluginConfig: { webhooks: { pollMs: quiet } } });
  ids = { Sales: await createSector(app, 'Sales'), Support: await createSector(app, 'Support'), Billing: await createSector(app, 'Billing') };
  ana = await createAgent(app, 'Ana', [ids['Sales']!, ids['Support']!]);
  for (const sector of ['Sales', 'Sales', 'Support', 'Billing', 'Billing', 'Billing', null]) await write(sector);
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

describe('Sector.waitingCount', () => {
  it("gives a USER their sectors' queues, 0 for a sector they are not in, and an ADMIN every queue", async () => {
    expect(byName((await ana.client.request(SECTORS)).sectors)).toEqual({ Sales: 2, Support: 1, Billing: 0 });
    expect(byName((await app.admin.request(SECTORS)).sectors)).toEqual({ Sales: 2, Support: 1, Billing: 3 });
    const mine = await ana.client.request(BY_SECTOR);
    expect(mine.ticketCounts.bySector).toEqual([{ sector: { name: 'Sales' }, waitingCount: 2 }, { sector: { name: 'Support' }, waitingCount: 1 }]);
    expect(byName((await app.admin.request(BY_SECTOR)).ticketCounts.bySector)).toEqual({ Sales: 2, Support: 1, Billing: 3 });
  });

  it("equals the viewer's WAITING tab narrowed to the sector (the one visibility rule)", async () => {
    for (const viewer of [ana.client, app.admin]) {
      for (const { id, waitingCount } of (await viewer.request(SECTORS)).sectors) {
        expect(waitingCount).toBe((await viewer.request(WAITING_IN, { s: id })).tickets.totalCount);
      }
    }
  });

  it('reads every sector in one statement from the count table (no N+1)', async () => {
    statements = [];
    await app.admin.request('{ sectors { name } }');
    const withoutCounts = statements.length;
    statements = [];
    await app.admin.request(SECTORS);
    const counting = statements.filter((sql) => /ticket_counts/.test(sql));
    expect(counting).toHaveLength(1);
    expect(statements.length).toBe(withoutCounts + 1);
    expect(statements.some((sql) => /FROM "?tickets"?\b/.test(sql))).toBe(false);
  });

  it('follows the queues live: arrivals, a take, a membership change; another sector never shows', async () => {
    const socket = wsClient(app.url, { token: ana.token });
    sockets.push(socket);
    const live = subscribe<{ ticketCountsChanged: { waiting: number; bySector: { sector: { name: string }; waitingCount: number }[] } }>(socket, COUNTS);
    const queues = async () => byName((await live.take(1))[0]!.ticketCountsChanged.bySector);
    expect(await queues()).toEqual({ Sales: 2, Support: 1 });

    // A Billing arrival moves none of Ana's counts: the next push is the Support arrival alone.
    await write('Billing');
    await write('Support');
    expect(await queues()).toEqual({ Sales: 2, Support: 2 });

    const { tickets } = await ana.client.request('query($s: ID) { tickets(status: WAITING, sectorId: $s, first: 1) { edges { node { id } } } }', { s: ids['Sales'] });
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: tickets.edges[0].node.id });
    expect(await queues()).toEqual({ Sales: 1, Support: 2 });

    // Moved from Support to Billing by an ADMIN: the list follows her sectors at once.
    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: ana.id, s: [ids['Sales'], ids['Billing']] });
    expect(await queues()).toEqual({ Sales: 1, Billing: 4 });
  });
});

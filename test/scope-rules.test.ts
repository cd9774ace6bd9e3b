import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import type { GqlClient } from './helpers/gql.js';

// The SQL form of the ticket rule (db/sqlite/scope.ts) on one fixed picture that reaches every branch:
// an agent of two sectors with the potentials, an agent of one without, tickets of both, of a third
// sector assigned to the first agent, and unsectored. Every tab, whole and narrowed to each sector,
// lists and counts exactly what the rule says (the property test draws such pictures only sometimes).

const TAB = `query($status: TicketStatus!, $all: Boolean, $sectorId: ID) {
  tickets(status: $status, all: $all, sectorId: $sectorId, first: 50) { totalCount edges { node { id } } } }`;
const COUNTS = '{ ticketCounts { waiting open closed } }';
const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id } }';
const CLOSE = 'mutation($id: ID!) { closeTicket(id: $id) { id } }';
const GIVE = 'mutation($id: ID!, $u: ID!) { transferTicket(id: $id, userId: $u) { id } }';

let app: TestApp;
let a: string;
let b: string;
let c: string;
let mia: Agent; // A and B, sees the potentials
let noa: Agent; // A only
const t: Record<string, string> = {};

beforeAll(async () => {
  app = await startTestApp();
  [a, b, c] = [await createSector(app, 'A'), await createSector(app, 'B'), await createSector(app, 'C')];
  mia = await createAgent(app, 'Mia', [a, b], { canViewUnsectored: true });
  noa = await createAgent(app, 'Noa', [a]);
  let phone = 5511970000000;
  const write = async (sectorId?: string) => (await contactWrites(app, { phone: String((phone += 1)), body: 'hi', sectorId })).id;
  t['waitingA'] = await write(a);
  t['waitingB'] = await write(b);
  t['waitingC'] = await write(c);
  t['unsectored'] = await write();
  t['openA'] = await write(a);
  await noa.client.request(ACCEPT, { id: t['openA'] });
  t['miasInC'] = await write(c);
  await app.admin.request(GIVE, { id: t['miasInC'], u: mia.id });
  t['closedB'] = await write(b);
  await mia.client.request(ACCEPT, { id: t['closedB'] });
  await mia.client.request(CLOSE, { id: t['closedB'] });
  // Unsectored and closed: no longer a potential, so nobody but an ADMIN counts or lists it.
  t['closedUnsectored'] = await write();
  await app.admin.request(CLOSE, { id: t['closedUnsectored'] });
  t['miasClosedInC'] = await write(c);
  await app.admin.request(GIVE, { id: t['miasClosedInC'], u: mia.id });
  await mia.client.request(CLOSE, { id: t['miasClosedInC'] });
});
afterAll(() => app.stop());

/** The tab's ids (as names of `t`, sorted) and a check that its totalCount agrees. */
async function tab(client: GqlClient, status: string, sector?: string, all?: boolean): Promise<string[]> {
  const { tickets } = await client.request(TAB, { status, sectorId: sector, all });
  const names = tickets.edges.map((edge: { node: { id: string } }) => Object.keys(t).find((name) => t[name] === edge.node.id) ?? edge.node.id);
  expect(tickets.totalCount, `totalCount of ${status} ${sector ?? ''}`).toBe(names.length);
  return names.sort();
}

describe('the ticket rule in SQL, tab by tab', () => {
  it('an agent of two sectors with the potentials: each sector alone, the third only through what is assigned', async () => {
    expect(await tab(mia.client, 'WAITING')).toEqual(['unsectored', 'waitingA', 'waitingB']);
    expect(await tab(mia.client, 'WAITING', a)).toEqual(['waitingA']);
    expect(await tab(mia.client, 'WAITING', b)).toEqual(['waitingB']);
    expect(await tab(mia.client, 'WAITING', c)).toEqual([]);

    expect(await tab(mia.client, 'OPEN', undefined, true)).toEqual(['miasInC', 'openA']);
    expect(await tab(mia.client, 'OPEN', a, true)).toEqual(['openA']);
    expect(await tab(mia.client, 'OPEN', b, true)).toEqual([]);
    expect(await tab(mia.client, 'OPEN', c, true)).toEqual(['miasInC']);
    expect(await tab(mia.client, 'OPEN')).toEqual(['miasInC']);
    expect(await tab(mia.client, 'OPEN', a)).toEqual([]);
    expect(await tab(mia.client, 'OPEN', c)).toEqual(['miasInC']);

    expect(await tab(mia.client, 'CLOSED')).toEqual(['closedB', 'miasClosedInC']);
    expect(await tab(mia.client, 'CLOSED', a)).toEqual([]);
    expect(await tab(mia.client, 'CLOSED', b)).toEqual(['closedB']);
    expect(await tab(mia.client, 'CLOSED', c)).toEqual(['miasClosedInC']);

    expect((await mia.client.request(COUNTS)).ticketCounts).toEqual({ waiting: 3, open: 1, closed: 2 });
  });

  it('an agent of one sector without the potentials sees neither the unsectored ticket nor the other sectors', async () => {
    expect(await tab(noa.client, 'WAITING')).toEqual(['waitingA']);
    expect(await tab(noa.client, 'WAITING', b)).toEqual([]);
    expect(await tab(noa.client, 'OPEN', undefined, true)).toEqual(['openA']);
    expect(await tab(noa.client, 'OPEN')).toEqual(['openA']);
    expect(await tab(noa.client, 'OPEN', c, true)).toEqual([]);
    expect(await tab(noa.client, 'CLOSED')).toEqual([]);
    expect((await noa.client.request(COUNTS)).ticketCounts).toEqual({ waiting: 1, open: 1, closed: 0 });
  });

  it('an ADMIN: the account, or one sector of it', async () => {
    expect(await tab(app.admin, 'WAITING')).toEqual(['unsectored', 'waitingA', 'waitingB', 'waitingC']);
    expect(await tab(app.admin, 'WAITING', a)).toEqual(['waitingA']);
    expect(await tab(app.admin, 'OPEN', c, true)).toEqual(['miasInC']);
    expect(await tab(app.admin, 'CLOSED', undefined, true)).toEqual(['closedB', 'closedUnsectored', 'miasClosedInC']);
  });

  it('a monitoring USER of no sector counts nothing, while the sectors are busy', async () => {
    const lou = await createAgent(app, 'Lou', [], { canMonitor: true });
    const { monitoring } = await lou.client.request('{ monitoring { ticketsInQueue ticketsInService today { opened closed } } }');
    expect(monitoring).toEqual({ ticketsInQueue: 0, ticketsInService: 0, today: { opened: 0, closed: 0 } });
    const admins = (await app.admin.request('{ monitoring { ticketsInQueue } }')).monitoring;
    expect(admins.ticketsInQueue).toBeGreaterThan(0);
  });
});

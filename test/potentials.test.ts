import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { subscribe, wsClient, type LiveSubscription } from './helpers/ws.js';

// The potentials tab: a USER with canViewUnsectored sees WAITING tickets without a sector, only while
// they wait unsectored; routed to a sector or taken, the usual rule applies again.

const EVENTS = 'subscription($status: TicketStatus) { ticketEvents(status: $status) { kind status ticketId ticket { id sector { name } } } }';
const COUNTS = 'subscription { ticketCountsChanged { waiting open closed } }';
const TICKET = 'query($id: ID!) { ticket(id: $id) { id } }';
const WAITING = '{ tickets(status: WAITING) { totalCount edges { node { id } } } ticketCounts { waiting } }';
const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id status } }';
const TRANSFER = 'mutation($id: ID!, $sectorId: ID) { transferTicket(id: $id, sectorId: $sectorId) { id } }';
const CLOSE = 'mutation($id: ID!) { closeTicket(id: $id) { id status } }';
const UPDATE_USER = 'mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { canViewUnsectored } }';

interface Event { ticketEvents: { kind: string; status: string; ticketId: string; ticket: { id: string; sector: { name: string } | null } | null } }

let app: TestApp;
let sales: string;
let pia: Agent; // no sector, canViewUnsectored
let sam: Agent; // Sales, without the flag
let paulo: Agent; // another potentials agent
const sockets: Client[] = [];
let phone = 0;
const unsectored = () => contactWrites(app, { phone: `55119300${String(++phone).padStart(5, '0')}`, body: 'Hi, which department?' });

/** Waits until the subscription hears commits: a contact writes again on a ticket it shows until an event comes. */
async function whenLive(sub: LiveSubscription<Event>, probePhone: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    await contactWrites(app, { phone: probePhone, body: 'probe' });
    const heard = await sub.take(1, 200).catch(() => []);
    if (heard.length) {
      await sub.nothingFor(100);
      return;
    }
  }
  throw new Error('the subscription never went live');
}

beforeAll(async () => {
  app = await startTestApp();
  sales = await createSector(app, 'Sales');
  pia = await createAgent(app, 'Pia', [], { canViewUnsectored: true, canDismissWaiting: true });
  sam = await createAgent(app, 'Sam', [sales]);
  paulo = await createAgent(app, 'Paulo', [], { canViewUnsectored: true });
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

describe('potentials (canViewUnsectored)', () => {
  it('ADMIN sets the flag through createUser and updateUser; refusals are typed and change nothing', async () => {
    const { me } = await pia.client.request('{ me { canViewUnsectored } }');
    expect(me.canViewUnsectored).toBe(true);
    const before = await app.snapshot();
    await sam.client.expectCode(UPDATE_USER, { id: sam.id, input: { canViewUnsectored: true } }, 'FORBIDDEN');
    await app.admin.expectCode(UPDATE_USER, { id: sam.id, input: { canViewUnsectored: null } }, 'BAD_USER_INPUT', 'input.canViewUnsectored');
    expect(await app.snapshot()).toBe(before);
  });

  it('shows a potential while it waits unsectored, live: ADDED, then REMOVED when routed to a sector I am not in or taken', async () => {
    const probe = await unsectored();
    const socket = wsClient(app.url, { token: pia.token });
    sockets.push(socket);
    const waiting = subscribe<Event>(socket, EVENTS, { status: 'WAITING' });
    const open = subscribe<Event>(socket, EVENTS, { status: 'OPEN' });
    await whenLive(waiting, `55119300${String(phone).padStart(5, '0')}`);

    // A contact who picked no department: Pia sees it, Sam (Sales, no flag) does not.
    const lead = await unsectored();
    const [added] = await waiting.take(1);
    expect(added!.ticketEvents).toMatchObject({ kind: 'ADDED', status: 'WAITING', ticket: { id: lead.id, sector: null } });
    expect((await pia.client.request(TICKET, { id: lead.id })).ticket).not.toBeNull();
    expect((await sam.client.request(TICKET, { id: lead.id })).ticket).toBeNull();
    const piaTab = await pia.client.request(WAITING);
    expect(piaTab.tickets.edges.map((edge: { node: { id: string } }) => edge.node.id).sort()).toEqual([probe.id, lead.id].sort());
    expect(piaTab.tickets.totalCount).toBe(2);
    expect(piaTab.ticketCounts.waiting).toBe(2);

    // Routed to Sales, where Pia is not: it leaves her tab and she may no longer see it; Sam now does.
    await app.admin.request(TRANSFER, { id: lead.id, sectorId: sales });
    const [routed] = await waiting.take(1);
    expect(routed!.ticketEvents).toMatchObject({ kind: 'REMOVED', ticketId: lead.id, ticket: null });
    expect((await pia.client.request(TICKET, { id: lead.id })).ticket).toBeNull();
    expect((await sam.client.request(TICKET, { id: lead.id })).ticket).not.toBeNull();

    // Another potential, taken by Paulo (who sees potentials too): REMOVED from Pia's tab, no longer hers to see.
    const second = await unsectored();
    expect((await waiting.take(1))[0]!.ticketEvents).toMatchObject({ kind: 'ADDED', ticketId: second.id });
    await paulo.client.request(ACCEPT, { id: second.id });
    expect((await waiting.take(1))[0]!.ticketEvents).toMatchObject({ kind: 'REMOVED', status: 'OPEN', ticket: null });
    expect((await pia.client.request(TICKET, { id: second.id })).ticket).toBeNull();

    // Pia takes the probe herself: it moves from her WAITING tab to her OPEN tab (assigned to her now).
    expect((await pia.client.request(ACCEPT, { id: probe.id })).acceptTicket.status).toBe('OPEN');
    expect((await waiting.take(1))[0]!.ticketEvents).toMatchObject({ kind: 'REMOVED', status: 'OPEN' });
    expect((await open.take(1))[0]!.ticketEvents).toMatchObject({ kind: 'ADDED', status: 'OPEN', ticket: { id: probe.id } });
    expect(await waiting.nothingFor(0)).toEqual([]);
  });

  it('counts the potentials live in her WAITING count', async () => {
    const socket = wsClient(app.url, { token: pia.token });
    sockets.push(socket);
    const counts = subscribe<{ ticketCountsChanged: { waiting: number } }>(socket, COUNTS);
    const first = (await counts.take(1))[0]!.ticketCountsChanged.waiting;
    const ticket = await unsectored();
    expect((await counts.take(1))[0]!.ticketCountsChanged.waiting).toBe(first + 1);
    await app.admin.request(TRANSFER, { id: ticket.id, sectorId: sales });
    expect((await counts.take(1))[0]!.ticketCountsChanged.waiting).toBe(first);
  });

  it('lets her dismiss a potential (canDismissWaiting); without the flag a potential is missing, and nothing changes', async () => {
    const ticket = await unsectored();
    const before = await app.snapshot();
    await sam.client.expectCode(CLOSE, { id: ticket.id }, 'NOT_FOUND');
    await sam.client.expectCode(ACCEPT, { id: ticket.id }, 'NOT_FOUND');
    expect(await app.snapshot()).toBe(before);
    expect((await pia.client.request(CLOSE, { id: ticket.id })).closeTicket.status).toBe('CLOSED');
    // Closed, it is no potential any more: the usual rule applies (not hers, no sector).
    expect((await pia.client.request(TICKET, { id: ticket.id })).ticket).toBeNull();
  });

  it('shows her no unsectored ticket of another status: ones Paulo took (OPEN) or closed (CLOSED) never fill her pages', async () => {
    const TABS = `{ open: tickets(status: OPEN, all: true, first: 1) { edges { node { id } } }
      closed: tickets(status: CLOSED, first: 1) { edges { node { id } } } }`;
    const ids = (tab: { edges: { node: { id: string } }[] }) => tab.edges.map((edge) => edge.node.id);
    // Hers first (older): then Paulo's, newer, which a page of one must pass over.
    const [mine, myClosed] = [await unsectored(), await unsectored()];
    for (const ticket of [mine, myClosed]) await pia.client.request(ACCEPT, { id: ticket.id });
    await pia.client.request(CLOSE, { id: myClosed.id });
    const his = [await unsectored(), await unsectored(), await unsectored(), await unsectored()];
    for (const ticket of his) expect((await paulo.client.request(ACCEPT, { id: ticket.id })).acceptTicket.status).toBe('OPEN');
    for (const ticket of his.slice(2)) expect((await paulo.client.request(CLOSE, { id: ticket.id })).closeTicket.status).toBe('CLOSED');
    const paulosTabs = await paulo.client.request(TABS);
    expect([ids(paulosTabs.open), ids(paulosTabs.closed)]).toEqual([[his[1]!.id], [his[3]!.id]]);
    const piasTabs = await pia.client.request(TABS);
    expect([ids(piasTabs.open), ids(piasTabs.closed)]).toEqual([[mine.id], [myClosed.id]]);
  });

  it('stops at once when an ADMIN clears the flag', async () => {
    const ticket = await unsectored();
    expect((await pia.client.request(TICKET, { id: ticket.id })).ticket).not.toBeNull();
    await app.admin.request(UPDATE_USER, { id: pia.id, input: { canViewUnsectored: false } });
    expect((await pia.client.request(TICKET, { id: ticket.id })).ticket).toBeNull();
    expect((await pia.client.request(WAITING)).tickets.totalCount).toBe(0);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicEvent } from '../resolvers/events/event-contract.js';
import type { DeskgraphPlugin } from '../plugins/runtime/contract.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import type { GqlClient } from './helpers/gql.js';
import { expectUnchanged } from './helpers/unchanged.js';

// Every refusal of resolvers/tickets/lifecycle.ts with its code, reason and wording, each changing
// nothing; and the details a successful move records (who closed, history, events, acceptedAt).

const TICKET = `query($id: ID!) { ticket(id: $id) { id status closedBy acceptedAt sector { id } assignee { id } channel { id }
  history { kind actorKind details } } }`;
const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id status } }';
const CLOSE = 'mutation($id: ID!) { closeTicket(id: $id) { id status closedBy } }';
const REOPEN = 'mutation($id: ID!) { reopenTicket(id: $id) { id status } }';
const TRANSFER = `mutation($id: ID!, $sectorId: ID, $userId: ID, $channelId: ID) {
  transferTicket(id: $id, sectorId: $sectorId, userId: $userId, channelId: $channelId) { id status sector { id } assignee { id } channel { id } acceptedAt } }`;
const CANCEL = 'mutation($id: ID!, $only: TicketStatus) { cancelTicket(id: $id, onlyIfStatus: $only) { id status closedBy } }';
const STATUS = 'mutation($s: AgentStatus!) { setMyStatus(status: $s) { id } }';

const heard: PublicEvent[] = [];
const listener: DeskgraphPlugin = { name: 'listener', setup: (api) => api.on('*', (event) => void heard.push(event)) };

let app: TestApp;
let sales: string;
let support: string;
let ana: Agent; // Sales
let bea: Agent; // Sales, no canDismissWaiting
let phones = 0;

beforeAll(async () => {
  app = await startTestApp({ plugins: [listener] });
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
  ana = await createAgent(app, 'Ana', [sales]);
  bea = await createAgent(app, 'Bea', [sales]);
});
afterAll(() => app.stop());

const waiting = (sectorId: string | undefined = sales, phone = `55119500${String((phones += 1)).padStart(5, '0')}`) =>
  contactWrites(app, { phone, body: 'hello', sectorId });
async function openFor(agent: Agent) {
  const ticket = await waiting();
  await agent.client.request(ACCEPT, { id: ticket.id });
  return ticket;
}
async function closed() {
  const ticket = await openFor(ana);
  await ana.client.request(CLOSE, { id: ticket.id });
  return ticket;
}
const read = async (id: string) => (await app.admin.request(TICKET, { id })).ticket;

interface Refusal {
  code: string;
  message: string;
  reason?: string;
  field?: string;
}

/** The call fails with exactly this code, reason, field and message, and the database is as it was. */
async function refuses(client: GqlClient, query: string, variables: Record<string, unknown>, expected: Refusal): Promise<void> {
  await expectUnchanged(app, async () => {
    const error = await client.expectCode(query, variables, expected.code, expected.field);
    expect(error.message).toBe(expected.message);
    expect(error.extensions?.['reason']).toBe(expected.reason);
  });
}

describe('accepting', () => {
  it('refuses a closed ticket as closed, not as taken', async () => {
    const ticket = await closed();
    await refuses(bea.client, ACCEPT, { id: ticket.id }, { code: 'CONFLICT', reason: 'TICKET_CLOSED', message: 'The ticket is closed' });
  });

  it('refuses a taken ticket as taken, before looking at the taker (even a PAUSED one)', async () => {
    const ticket = await openFor(ana);
    const taken = { code: 'TICKET_ALREADY_TAKEN', message: 'Another agent already took this ticket' };
    await refuses(bea.client, ACCEPT, { id: ticket.id }, taken);
    const paused = await createAgent(app, 'Pia', [sales], {}, 'PAUSED');
    await refuses(paused.client, ACCEPT, { id: ticket.id }, taken);
  });
});

describe('closing', () => {
  it('refuses a closed ticket, an OPEN ticket of someone else, and a waiting one without canDismissWaiting', async () => {
    const done = await closed();
    await refuses(ana.client, CLOSE, { id: done.id }, { code: 'CONFLICT', reason: 'TICKET_CLOSED', message: 'The ticket is already closed' });
    const anas = await openFor(ana);
    await refuses(bea.client, CLOSE, { id: anas.id }, { code: 'FORBIDDEN', message: 'Only the assignee or an ADMIN may close this ticket' });
    const queued = await waiting();
    await refuses(bea.client, CLOSE, { id: queued.id }, {
      code: 'FORBIDDEN',
      message: 'Closing a waiting ticket unattended needs the canDismissWaiting permission',
    });
  });

  it('records who closed it and from which status: the assignee as AGENT, an ADMIN as ADMIN, a dismissal', async () => {
    const mine = await openFor(ana);
    expect((await ana.client.request(CLOSE, { id: mine.id })).closeTicket).toMatchObject({ status: 'CLOSED', closedBy: 'AGENT' });
    expect((await read(mine.id)).history.at(-1)).toEqual({ kind: 'CLOSED', actorKind: 'USER', details: { from: 'OPEN' } });

    const anas = await openFor(ana);
    expect((await app.admin.request(CLOSE, { id: anas.id })).closeTicket).toMatchObject({ status: 'CLOSED', closedBy: 'ADMIN' });

    const dismisser = await createAgent(app, 'Dani', [sales], { canDismissWaiting: true });
    const queued = await waiting();
    expect((await dismisser.client.request(CLOSE, { id: queued.id })).closeTicket).toMatchObject({ status: 'CLOSED', closedBy: 'AGENT' });
    expect((await read(queued.id)).history.at(-1)).toEqual({ kind: 'CLOSED', actorKind: 'USER', details: { from: 'WAITING' } });
  });

  it("frees the assignee's seat when an ADMIN closes their ticket: the assignee's routed queue hands them the next", async () => {
    const routed = await createSector(app, 'Routed');
    await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { routingMode: ROUND_ROBIN }) { id } }', { id: routed });
    const solo = await createAgent(app, 'Solo', [routed], { maxConcurrentTickets: 1 });
    const first = await waiting(routed);
    expect(await read(first.id)).toMatchObject({ status: 'OPEN', assignee: { id: solo.id } });
    const second = await waiting(routed);
    expect(await read(second.id)).toMatchObject({ status: 'WAITING', assignee: null });
    await app.admin.request(CLOSE, { id: first.id });
    expect(await read(second.id)).toMatchObject({ status: 'OPEN', assignee: { id: solo.id } });
  });
});

describe('reopening', () => {
  it('refuses a ticket that is not closed, and one whose contact is live again on its channel', async () => {
    const open = await openFor(ana);
    await refuses(ana.client, REOPEN, { id: open.id }, { code: 'CONFLICT', reason: 'TICKET_NOT_CLOSED', message: 'Only a closed ticket can be reopened' });
    const phone = '5511960000001';
    const old = await waiting(sales, phone);
    await ana.client.request(ACCEPT, { id: old.id });
    await ana.client.request(CLOSE, { id: old.id });
    const fresh = await waiting(sales, phone);
    expect(fresh.id).not.toBe(old.id);
    await refuses(ana.client, REOPEN, { id: old.id }, {
      code: 'CONFLICT',
      reason: 'CONTACT_HAS_LIVE_TICKET',
      message: 'The contact already has a live ticket on this channel',
    });
  });

  it('needs an available agent, like accepting', async () => {
    const done = await closed();
    const paused = await createAgent(app, 'Paz', [sales], {}, 'PAUSED');
    await expectUnchanged(app, async () => {
      expect((await paused.client.expectCode(REOPEN, { id: done.id }, 'CONFLICT')).extensions?.['reason']).toBe('AGENT_NOT_ONLINE');
    });
  });
});

describe('transferring', () => {
  it('refuses no target, a closed ticket, and an OPEN ticket of someone else', async () => {
    const queued = await waiting();
    await refuses(app.admin, TRANSFER, { id: queued.id }, { code: 'BAD_USER_INPUT', field: 'sectorId', message: 'Name a sector, an agent or a channel' });
    const done = await closed();
    await refuses(app.admin, TRANSFER, { id: done.id, sectorId: support }, {
      code: 'CONFLICT',
      reason: 'TICKET_CLOSED',
      message: 'A closed ticket cannot be transferred; reopen it first',
    });
    const anas = await openFor(ana);
    await refuses(bea.client, TRANSFER, { id: anas.id, sectorId: support }, { code: 'FORBIDDEN', message: 'Only the assignee or an ADMIN may transfer this ticket' });
  });

  it('refuses an unknown sector, an unknown or deactivated agent, an unknown channel', async () => {
    const queued = await waiting();
    const unknown = (type: string) => Buffer.from(`${type}:99999`).toString('base64');
    await refuses(app.admin, TRANSFER, { id: queued.id, sectorId: unknown('Sector') }, { code: 'BAD_USER_INPUT', field: 'sectorId', message: 'Unknown sector' });
    const byUser = { code: 'BAD_USER_INPUT', field: 'userId', message: 'Unknown or deactivated user' };
    await refuses(app.admin, TRANSFER, { id: queued.id, userId: unknown('User') }, byUser);
    const gone = await createAgent(app, 'Gone', [sales]);
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }', { id: gone.id });
    await refuses(app.admin, TRANSFER, { id: queued.id, userId: gone.id }, byUser);
    await refuses(app.admin, TRANSFER, { id: queued.id, channelId: unknown('Channel') }, { code: 'BAD_USER_INPUT', field: 'channelId', message: 'Unknown channel' });
  });

  it('refuses moving to a channel where the contact is live, but not to the channel the ticket is on', async () => {
    const { createChannel } = await app.admin.request('mutation { createChannel(input: { name: "Telegram", kind: TELEGRAM }) { id } }');
    const phone = '5511960000002';
    await contactWrites(app, { phone, body: 'on telegram', sectorId: sales, channelId: createChannel.id });
    const here = await waiting(sales, phone);
    await refuses(app.admin, TRANSFER, { id: here.id, channelId: createChannel.id }, {
      code: 'CONFLICT',
      reason: 'CONTACT_HAS_LIVE_TICKET',
      message: 'The contact already has a live ticket on that channel',
    });
    const own = (await read(here.id)).channel.id;
    const { transferTicket } = await app.admin.request(TRANSFER, { id: here.id, channelId: own, sectorId: support });
    expect(transferTicket).toMatchObject({ status: 'WAITING', sector: { id: support }, channel: { id: own } });
  });

  it('treats handing a waiting ticket to myself as taking it: an unavailable agent is refused', async () => {
    const queued = await waiting();
    const paused = await createAgent(app, 'Pepe', [sales], {}, 'PAUSED');
    await expectUnchanged(app, async () => {
      expect((await paused.client.expectCode(TRANSFER, { id: queued.id, userId: paused.id }, 'CONFLICT')).extensions?.['reason']).toBe('AGENT_NOT_ONLINE');
    });
  });

  it('lets a PAUSED assignee move their own ticket to another sector, keeping it and its acceptedAt', async () => {
    const ticket = await openFor(ana);
    const { acceptedAt } = await read(ticket.id);
    expect(acceptedAt).not.toBeNull();
    await ana.client.request(STATUS, { s: 'PAUSED' });
    try {
      const { transferTicket } = await ana.client.request(TRANSFER, { id: ticket.id, userId: ana.id, sectorId: support });
      expect(transferTicket).toMatchObject({ status: 'OPEN', sector: { id: support }, assignee: { id: ana.id }, acceptedAt });
    } finally {
      await ana.client.request(STATUS, { s: 'ONLINE' });
    }
  });

  it("lets an ADMIN hand an agent's OPEN ticket to another agent", async () => {
    const anas = await openFor(ana);
    const { transferTicket } = await app.admin.request(TRANSFER, { id: anas.id, userId: bea.id });
    expect(transferTicket).toMatchObject({ status: 'OPEN', assignee: { id: bea.id } });
  });

  it('stamps acceptedAt when a waiting ticket is handed to an agent', async () => {
    const queued = await waiting();
    const { transferTicket } = await app.admin.request(TRANSFER, { id: queued.id, userId: bea.id });
    expect(transferTicket).toMatchObject({ status: 'OPEN', assignee: { id: bea.id }, sector: { id: sales } });
    expect(transferTicket.acceptedAt).not.toBeNull();
  });
});

describe('cancelling (the contact gave up)', () => {
  it('refuses a closed ticket, and a ticket no longer in the expected status, naming the status', async () => {
    const done = await closed();
    await refuses(app.admin, CANCEL, { id: done.id }, { code: 'CONFLICT', reason: 'TICKET_CLOSED', message: 'The ticket is already closed' });
    const open = await openFor(ana);
    await refuses(app.admin, CANCEL, { id: open.id, only: 'WAITING' }, { code: 'CONFLICT', reason: 'STATUS_CHANGED', message: 'The ticket is OPEN now' });
  });

  it('closes by CONTACT, with history details and the public ticket.closed event', async () => {
    const queued = await waiting();
    expect((await app.admin.request(CANCEL, { id: queued.id })).cancelTicket).toEqual({ id: queued.id, status: 'CLOSED', closedBy: 'CONTACT' });
    expect((await read(queued.id)).history.at(-1)).toMatchObject({ kind: 'CLOSED', details: { from: 'WAITING', byContact: true } });
    await app.running.relay.settled();
    const closedEvents = heard.filter((event) => event.type === 'ticket.closed' && (event.data as { ticket: { id: string } }).ticket.id === queued.id);
    expect(closedEvents.map((event) => (event.data as { closedBy: string }).closedBy)).toEqual(['CONTACT']);
  });
});

import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { subscribe, untilListening, wsClient } from './helpers/ws.js';

// messageAdded's own rules (resolvers/live/messages.ts): refused like a missing ticket, ended by
// deactivation, and a replay that crosses a stretch out of my sight neither ends nor leaks it.

const MESSAGES = 'subscription($id: ID!, $after: String) { messageAdded(ticketId: $id, after: $after) { body } }';
const LAST_MESSAGE = 'query($id: ID!) { ticket(id: $id) { lastMessage { body cursor } } }';
const MOVE = 'mutation($id: ID!, $s: ID!) { transferTicket(id: $id, sectorId: $s) { id } }';
type Streamed = { messageAdded: { body: string } };
type Failure = { errors?: { message: string; extensions?: { code?: string } }[] };

let app: TestApp;
let sales: string;
let support: string;
let phone = 0;
const sockets: Client[] = [];
const nextPhone = () => `55119730${String(++phone).padStart(5, '0')}`;
const socketFor = (agent: Agent) => {
  const socket = wsClient(app.url, { authorization: `Bearer ${agent.token}` });
  sockets.push(socket);
  return socket;
};

beforeAll(async () => {
  app = await startTestApp();
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

describe('messageAdded', () => {
  it('refuses a ticket I cannot see with the same NOT_FOUND as a missing one', async () => {
    const ana = await createAgent(app, 'Ana', [sales]);
    const hidden = await contactWrites(app, { phone: nextPhone(), body: 'support only', sectorId: support });
    const missing = Buffer.from('Ticket:999999').toString('base64');
    for (const id of [hidden.id, missing]) {
      const [result] = await subscribe<Failure>(socketFor(ana), MESSAGES, { id }).take(1);
      expect(result!.errors?.[0]).toMatchObject({ message: 'Ticket not found', extensions: { code: 'NOT_FOUND' } });
    }
  });

  it('ends when I am deactivated', async () => {
    const eva = await createAgent(app, 'Eva', [sales]);
    const contact = nextPhone();
    const ticket = await contactWrites(app, { phone: contact, body: 'hello', sectorId: sales });
    const live = subscribe<Streamed>(socketFor(eva), MESSAGES, { id: ticket.id }, { skip: (message) => message.messageAdded?.body === 'warm-up' });
    await untilListening([live], () => contactWrites(app, { phone: contact, body: 'warm-up' }));
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }', { id: eva.id });
    await live.completed;
    expect(await live.nothingFor(0)).toEqual([]);
  });

  it('replays past a stretch in another sector: skips what was written there, and goes on live', async () => {
    const ivo = await createAgent(app, 'Ivo', [sales]);
    const contact = nextPhone();
    const ticket = await contactWrites(app, { phone: contact, body: 'one', sectorId: sales });
    const { ticket: read } = await ivo.client.request(LAST_MESSAGE, { id: ticket.id });
    expect(read.lastMessage.body).toBe('one');
    await app.admin.request(MOVE, { id: ticket.id, s: support });
    await contactWrites(app, { phone: contact, body: 'two, while in Support' });
    await app.admin.request(MOVE, { id: ticket.id, s: sales });
    await contactWrites(app, { phone: contact, body: 'three' });

    const resumed = subscribe<Streamed>(socketFor(ivo), MESSAGES, { id: ticket.id, after: read.lastMessage.cursor });
    expect((await resumed.take(1))[0]!.messageAdded.body).toBe('three');
    await contactWrites(app, { phone: contact, body: 'four' });
    expect((await resumed.take(1))[0]!.messageAdded.body).toBe('four');
  });
});

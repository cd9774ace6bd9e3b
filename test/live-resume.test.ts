import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { withTestDatabase } from './helpers/database.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { subscribe, untilListening, wsClient, type LiveSubscription } from './helpers/ws.js';

const EVENTS = 'subscription($after: String) { ticketEvents(status: WAITING, after: $after) { kind ticketId cursor ticket { lastMessage { body } } } }';
const MESSAGES = 'subscription($id: ID!, $after: String) { messageAdded(ticketId: $id, after: $after) { body cursor } }';
const TRANSFER = 'mutation($id: ID!, $sectorId: ID) { transferTicket(id: $id, sectorId: $sectorId) { id } }';
const LAST_MESSAGE = 'query($id: ID!) { ticket(id: $id) { lastMessage { body cursor } } }';

interface TicketEvent { ticketEvents: { kind: string; ticketId: string; cursor: string; ticket: { lastMessage: { body: string } | null } | null } }
interface MessageEvent { messageAdded: { body: string; cursor: string } }
interface Failure { errors?: { message: string; extensions?: { code?: string; field?: string } }[] }

const clients: Client[] = [];
function socketFor(app: TestApp, token: string): Client {
  const client = wsClient(app.url, { authorization: `Bearer ${token}` });
  clients.push(client);
  return client;
}
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
});

let phone = 0;
const nextPhone = () => `55119710${String(++phone).padStart(5, '0')}`;

describe('resuming ticketEvents and messageAdded with a cursor', () => {
  let app: TestApp;
  let sales: string;
  let support: string;
  let ana: Agent;
  beforeAll(async () => {
    app = await startTestApp();
    sales = await createSector(app, 'Sales');
    support = await createSector(app, 'Support');
    // OFFLINE: routing gives her nothing, so every new Sales ticket waits in her WAITING tab.
    ana = await createAgent(app, 'Ana', [sales], {}, 'OFFLINE');
  });
  afterAll(() => app.stop());

  it('replays exactly what the viewer missed while away, in order, then goes on live, each once', async () => {
    const first = socketFor(app, ana.token);
    // Told apart by their message: an event can arrive before the ingestion's own answer.
    const before = subscribe<TicketEvent>(first, EVENTS, {}, { skip: (event) => event.ticketEvents?.ticket?.lastMessage?.body === 'warm-up' });
    await untilListening([before], () => contactWrites(app, { phone: nextPhone(), body: 'warm-up', sectorId: sales }));
    const seen = await contactWrites(app, { phone: nextPhone(), body: 'seen live', sectorId: sales });
    const [live] = await before.take(1);
    expect(live!.ticketEvents).toMatchObject({ kind: 'ADDED', ticketId: seen.id });
    const lastCursor = live!.ticketEvents.cursor;
    await first.dispose();

    // Away: a new ticket in Sales (ADDED), one in Support (not mine to see), the seen one moved away (REMOVED).
    const missed = await contactWrites(app, { phone: nextPhone(), body: 'while away', sectorId: sales });
    const elsewhere = await contactWrites(app, { phone: nextPhone(), body: 'not mine', sectorId: support });
    await app.admin.request(TRANSFER, { id: seen.id, sectorId: support });

    const resumed = subscribe<TicketEvent>(socketFor(app, ana.token), EVENTS, { after: lastCursor });
    const replay = await resumed.take(2);
    expect(replay.map((event) => `${event.ticketEvents.kind} ${event.ticketEvents.ticketId}`)).toEqual([`ADDED ${missed.id}`, `REMOVED ${seen.id}`]);
    // Replay ran after listening began: the next ticket arrives live, once, and the sentinel right after it.
    const after = await contactWrites(app, { phone: nextPhone(), body: 'back live', sectorId: sales });
    const sentinel = await contactWrites(app, { phone: nextPhone(), body: 'sentinel', sectorId: sales });
    const rest = await resumed.take(2);
    expect(rest.map((event) => `${event.ticketEvents.kind} ${event.ticketEvents.ticketId}`)).toEqual([`ADDED ${after.id}`, `ADDED ${sentinel.id}`]);
    const cursors = [live, ...replay, ...rest].map((event) => event!.ticketEvents.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect([...replay, ...rest].some((event) => event.ticketEvents.ticketId === elsewhere.id)).toBe(false);
  });

  it('replays a stretch longer than one read of the outbox (120 tickets, 360 events, one commit split between two reads), in order, each once', async () => {
    const carla = await createAgent(app, 'Carla', [sales], {}, 'OFFLINE');
    const first = socketFor(app, carla.token);
    const before = subscribe<TicketEvent>(first, EVENTS, {}, { skip: (event) => event.ticketEvents?.ticket?.lastMessage?.body === 'warm-up' });
    await untilListening([before], () => contactWrites(app, { phone: nextPhone(), body: 'warm-up', sectorId: sales }));
    const seen = await contactWrites(app, { phone: nextPhone(), body: 'seen live', sectorId: sales });
    const [live] = await before.take(1);
    expect(live!.ticketEvents).toMatchObject({ kind: 'ADDED', ticketId: seen.id });
    await first.dispose();

    const missed: string[] = [];
    for (let i = 0; i < 120; i++) missed.push((await contactWrites(app, { phone: nextPhone(), body: `away ${i}`, sectorId: sales })).id);
    // The premise: 360 events after the cursor (each ingestion commits 3), so the replay takes two reads of the
    // outbox (200, then 160) and one ingestion's commit is split between them (200 is no multiple of 3).
    const cursorEventId = Number(Buffer.from(live!.ticketEvents.cursor, 'base64url').toString('utf8'));
    const outboxIds = await withTestDatabase(app.config.databaseUrl, (db) => db.rows<{ id: number }>('SELECT id FROM outbox ORDER BY id'), { readonly: true });
    expect(outboxIds.filter(({ id }) => Number(id) > cursorEventId)).toHaveLength(360);
    const resumed = subscribe<TicketEvent>(socketFor(app, carla.token), EVENTS, { after: live!.ticketEvents.cursor });
    const replay = await resumed.take(missed.length, 30_000);
    expect(replay.map((event) => `${event.ticketEvents.kind} ${event.ticketEvents.ticketId}`)).toEqual(missed.map((id) => `ADDED ${id}`));
    const back = await contactWrites(app, { phone: nextPhone(), body: 'back live', sectorId: sales });
    const [next] = await resumed.take(1);
    expect(next!.ticketEvents).toMatchObject({ kind: 'ADDED', ticketId: back.id });
    const cursors = replay.map((event) => event.ticketEvents.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
  });

  it('replays exactly one full read of the outbox (200 events, then a read that finds none), then goes on live', async () => {
    const contact = nextPhone();
    const ticket = await contactWrites(app, { phone: contact, body: 'two hundred notes', sectorId: sales });
    const first = socketFor(app, ana.token);
    const before = subscribe<MessageEvent>(first, MESSAGES, { id: ticket.id }, { skip: (message) => message.messageAdded?.body === 'warm-up' });
    await untilListening([before], () => contactWrites(app, { phone: contact, body: 'warm-up' }));
    await contactWrites(app, { phone: contact, body: 'seen live' });
    const [live] = await before.take(1);
    await first.dispose();

    const notes: string[] = [];
    for (let i = 0; i < 200; i++) {
      notes.push(`note ${i}`);
      await ana.client.request('mutation($id: ID!, $body: String!) { addNote(ticketId: $id, body: $body) { id } }', { id: ticket.id, body: `note ${i}` });
    }
    // The premise: the account's outbox holds exactly one read (200 events) after the cursor, so the replay's next read is empty.
    const cursorEventId = Number(Buffer.from(live!.messageAdded.cursor, 'base64url').toString('utf8'));
    const outboxIds = await withTestDatabase(app.config.databaseUrl, (db) => db.rows<{ id: number }>('SELECT id FROM outbox ORDER BY id'), { readonly: true });
    expect(outboxIds.filter(({ id }) => Number(id) > cursorEventId)).toHaveLength(200);

    const resumed = subscribe<MessageEvent>(socketFor(app, ana.token), MESSAGES, { id: ticket.id, after: live!.messageAdded.cursor });
    expect((await resumed.take(200, 30_000)).map((message) => message.messageAdded.body)).toEqual(notes);
    await contactWrites(app, { phone: contact, body: 'back live' });
    expect((await resumed.take(1))[0]).toEqual({ messageAdded: expect.objectContaining({ body: 'back live' }) });
  });

  it('judges the replay by the sectors the viewer has now, not those of the moment', async () => {
    const bruno = await createAgent(app, 'Bruno', [sales], {}, 'OFFLINE');
    const first = socketFor(app, bruno.token);
    const before = subscribe<TicketEvent>(first, EVENTS, {}, { skip: (event) => event.ticketEvents?.ticket?.lastMessage?.body === 'warm-up' });
    await untilListening([before], () => contactWrites(app, { phone: nextPhone(), body: 'warm-up', sectorId: sales }));
    const seen = await contactWrites(app, { phone: nextPhone(), body: 'seen live', sectorId: sales });
    const [live] = await before.take(1);
    expect(live!.ticketEvents).toMatchObject({ kind: 'ADDED', ticketId: seen.id });
    await first.dispose();

    // Away: a Support ticket (not his then), a move from Sales to Support, then a Sales ticket (not his now).
    const support1 = await contactWrites(app, { phone: nextPhone(), body: 'support, before the move', sectorId: support });
    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: bruno.id, s: [support] });
    await contactWrites(app, { phone: nextPhone(), body: 'sales, after the move', sectorId: sales });

    const resumed = subscribe<TicketEvent>(socketFor(app, bruno.token), EVENTS, { after: live!.ticketEvents.cursor });
    const sentinel = await contactWrites(app, { phone: nextPhone(), body: 'sentinel', sectorId: support });
    const events = await resumed.takeUntil((event) => event.ticketEvents.ticketId === sentinel.id);
    expect(events.map((event) => `${event.ticketEvents.kind} ${event.ticketEvents.ticketId}`)).toEqual([`ADDED ${support1.id}`, `ADDED ${sentinel.id}`]);
  });

  it('replays the messages of a ticket added while away, then live ones, each once', async () => {
    const contact = nextPhone();
    const ticket = await contactWrites(app, { phone: contact, body: 'hello', sectorId: sales });
    const first = socketFor(app, ana.token);
    const before = subscribe<MessageEvent>(first, MESSAGES, { id: ticket.id }, { skip: (message) => message.messageAdded?.body === 'warm-up' });
    await untilListening([before], () => contactWrites(app, { phone: contact, body: 'warm-up' }));
    await contactWrites(app, { phone: contact, body: 'one' });
    const [live] = await before.take(1);
    expect(live!.messageAdded.body).toBe('one');
    await first.dispose();

    // Away: two messages of this ticket and one of a ticket in Support.
    await contactWrites(app, { phone: contact, body: 'two' });
    await contactWrites(app, { phone: nextPhone(), body: 'another ticket', sectorId: support });
    await ana.client.request('mutation($id: ID!) { addNote(ticketId: $id, body: "three") { id } }', { id: ticket.id });

    const resumed = subscribe<MessageEvent>(socketFor(app, ana.token), MESSAGES, { id: ticket.id, after: live!.messageAdded.cursor });
    expect((await resumed.take(2)).map((message) => message.messageAdded.body)).toEqual(['two', 'three']);
    await contactWrites(app, { phone: contact, body: 'four' });
    await contactWrites(app, { phone: contact, body: 'sentinel' });
    const rest = await resumed.take(2);
    expect(rest.map((message) => message.messageAdded.body)).toEqual(['four', 'sentinel']);
    // A message read by a query has the same cursor as when the stream delivered it.
    const { ticket: read } = await ana.client.request(LAST_MESSAGE, { id: ticket.id });
    expect(read.lastMessage).toEqual({ body: 'sentinel', cursor: rest[1]!.messageAdded.cursor });
  });

  it('answers a malformed or never issued cursor with BAD_USER_INPUT on after, changing nothing', async () => {
    const ticket = await contactWrites(app, { phone: nextPhone(), body: 'garbage cursors', sectorId: sales });
    const socket = socketFor(app, ana.token);
    const future = Buffer.from('999999999').toString('base64url');
    await expectUnchanged(app, async () => {
      for (const after of ['not a cursor', Buffer.from('1:2').toString('base64url'), future]) {
        for (const [query, variables] of [[EVENTS, { after }], [MESSAGES, { id: ticket.id, after }]] as const) {
          const [result] = await subscribe<Failure>(socket, query, variables).take(1);
          expect(result!.errors?.[0]?.extensions, `${after} on ${query}`).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
          // Malformed: not this list's shape; well formed but past every issued event: not this stream's.
          expect(result!.errors?.[0]?.message, `${after} on ${query}`).toBe(after === future ? 'Not a cursor from this stream' : 'Not a cursor from this list');
        }
      }
    });
  });
});

describe('a cursor older than what the outbox keeps', () => {
  it('answers CURSOR_EXPIRED on both streams, changing nothing', async () => {
    const clock = testClock('2026-12-01T12:00:00Z');
    const app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 7 * 86_400 }, relay: { retentionMs: 86_400_000, pruneEveryMs: 0, pollMs: 20 } });
    try {
      const outboxIds = async () =>
        (await withTestDatabase(app.config.databaseUrl, (db) => db.rows<{ id: number }>('SELECT id FROM outbox ORDER BY id'), { readonly: true })).map((row) => row.id);
      const ticket = await contactWrites(app, { phone: nextPhone(), body: 'a day ago' });
      const { ticket: read } = await app.admin.request(LAST_MESSAGE, { id: ticket.id });
      const old = await outboxIds();
      clock.advance(86_400_000 + 60_000);
      const young = await contactWrites(app, { phone: nextPhone(), body: 'just now' });
      const deadline = Date.now() + 5000;
      while ((await outboxIds()).some((id) => old.includes(id)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await outboxIds()).some((id) => old.includes(id))).toBe(false);

      const socket = socketFor(app, app.adminToken);
      const answers: LiveSubscription<Failure>[] = [];
      await expectUnchanged(app, async () => {
        answers.push(subscribe<Failure>(socket, EVENTS, { after: read.lastMessage.cursor }));
        answers.push(subscribe<Failure>(socket, MESSAGES, { id: ticket.id, after: read.lastMessage.cursor }));
        for (const answer of answers) expect((await answer.take(1))[0]!.errors?.[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
      });

      // A day later pruning empties the outbox: a cursor of the youngest event is expired, not unknown.
      const { ticket: youngRead } = await app.admin.request(LAST_MESSAGE, { id: young.id });
      clock.advance(86_400_000 + 60_000);
      const emptyBy = Date.now() + 5000;
      while ((await outboxIds()).length > 0 && Date.now() < emptyBy) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await outboxIds()).toEqual([]);
      const [result] = await subscribe<Failure>(socket, EVENTS, { after: youngRead.lastMessage.cursor }).take(1);
      expect(result!.errors?.[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
    } finally {
      await app.stop();
    }
  });
});

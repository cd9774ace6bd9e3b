import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { subscribe, wsClient } from './helpers/ws.js';

const NOTE = 'mutation($t: ID!, $b: String!, $m: [ID!]) { addNote(ticketId: $t, body: $b, mentionedUserIds: $m) { id body kind } }';
const LIST = `query($unread: Boolean, $first: Int, $after: String) { notifications(unreadOnly: $unread, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id kind read ticket { id } message { body } by { name } } } } }`;
const ADDED = 'subscription { notificationAdded { id kind ticket { id } message { body } by { name } } }';
const READ = 'mutation($ids: [ID!]!) { markNotificationsRead(ids: $ids) }';

let app: TestApp;
let author: Agent;
let colleague: Agent;
let outsider: Agent;
let salesTicket: string;
let supportTicket: string;
const sockets: Client[] = [];
let probes = 0;

beforeAll(async () => {
  app = await startTestApp();
  const sales = await createSector(app, 'Sales');
  const support = await createSector(app, 'Support');
  author = await createAgent(app, 'Author', [sales]);
  colleague = await createAgent(app, 'Colleague', [sales]);
  outsider = await createAgent(app, 'Outsider', [support]);
  salesTicket = (await contactWrites(app, { phone: '5511960000001', body: 'help', sectorId: sales })).id;
  supportTicket = (await contactWrites(app, { phone: '5511960000002', body: 'help', sectorId: support })).id;
});
afterAll(async () => {
  for (const socket of sockets) await socket.dispose();
  await app.stop();
});

/**
 * notificationAdded has no first value to show it is listening: mention the agent on their own sector's
 * ticket until one arrives (a condition, not a sleep), then the stream is live.
 */
async function live(token: string, ticketId: string, userId: string, prober = app.admin) {
  const socket = wsClient(app.url, { authorization: `Bearer ${token}` });
  sockets.push(socket);
  const subscription = subscribe(socket, ADDED);
  for (let attempt = 0; attempt < 40; attempt++) {
    await prober.request(NOTE, { t: ticketId, b: `probe ${attempt}`, m: [userId] });
    try {
      // Earlier probes may still arrive first; this one arriving means nothing older is in flight.
      while ((await subscription.take(1, 250))[0].notificationAdded.message.body !== `probe ${attempt}`);
      return subscription;
    } catch {
      // not listening yet: probe again
    }
  }
  throw new Error('notificationAdded never started listening');
}

describe('mentions in internal notes', () => {
  it('refuses a mention of someone who may not see the ticket, or of nobody known, and stores nothing', async () => {
    const before = await app.snapshot();
    await author.client.expectCode(NOTE, { t: salesTicket, b: 'look', m: [colleague.id, outsider.id] }, 'BAD_USER_INPUT', 'mentionedUserIds');
    await author.client.expectCode(NOTE, { t: salesTicket, b: 'look', m: [Buffer.from('User:99999').toString('base64')] }, 'BAD_USER_INPUT', 'mentionedUserIds');
    expect(await app.snapshot()).toBe(before);
    expect((await outsider.client.request(LIST)).notifications.totalCount).toBe(0);
  });

  it('notifies each mentioned agent who may see the ticket, live and stored, and nobody else', async () => {
    const adminId = (await app.admin.request('{ me { id } }')).me.id;
    const colleagueLive = await live(colleague.token, salesTicket, colleague.id);
    const outsiderLive = await live(outsider.token, supportTicket, outsider.id);
    const adminLive = await live(app.adminToken, salesTicket, adminId, author.client);
    probes = (await colleague.client.request(LIST)).notifications.totalCount;

    const { addNote } = await author.client.request(NOTE, { t: salesTicket, b: 'Can you check the invoice?', m: [colleague.id, adminId, author.id] });
    expect(addNote).toMatchObject({ kind: 'NOTE', body: 'Can you check the invoice?' });
    const [pushed] = await colleagueLive.take(1);
    expect(pushed.notificationAdded).toMatchObject({ kind: 'MENTION', ticket: { id: salesTicket }, message: { body: 'Can you check the invoice?' }, by: { name: 'Author' } });
    expect((await adminLive.take(1))[0].notificationAdded.ticket.id).toBe(salesTicket);

    // The outsider's first notification is one on their own sector's ticket, not the one above.
    await app.admin.request(NOTE, { t: supportTicket, b: 'for you', m: [outsider.id] });
    const [first] = await outsiderLive.take(1);
    expect(first.notificationAdded).toMatchObject({ ticket: { id: supportTicket }, message: { body: 'for you' } });

    const stored = (await colleague.client.request(LIST)).notifications;
    expect(stored.totalCount).toBe(probes + 1);
    expect(stored.edges[0].node).toMatchObject({ id: pushed.notificationAdded.id, read: false, ticket: { id: salesTicket } });
    expect((await author.client.request(LIST)).notifications.totalCount).toBe(0); // mentioning myself notifies nobody
    const outsiders = (await outsider.client.request(LIST)).notifications.edges.map((e: { node: { ticket: { id: string } } }) => e.node.ticket.id);
    expect(outsiders.length).toBeGreaterThan(1);
    expect(new Set(outsiders)).toEqual(new Set([supportTicket]));
    // Nobody reads someone else's notification, even by id.
    expect((await outsider.client.request('query($id: ID!) { node(id: $id) { id } }', { id: pushed.notificationAdded.id })).node).toBeNull();
  });

  it('marks only my own unread notifications read and says how many changed; pages newest first', async () => {
    for (const body of ['one', 'two']) await author.client.request(NOTE, { t: salesTicket, b: body, m: [colleague.id] });
    const all = (await colleague.client.request(LIST)).notifications;
    expect(all.totalCount).toBe(probes + 3);
    expect(all.edges.slice(0, 3).map((e: { node: { message: { body: string } } }) => e.node.message.body)).toEqual(['two', 'one', 'Can you check the invoice?']);
    const page = (await colleague.client.request(LIST, { first: 2 })).notifications;
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect((await colleague.client.request(LIST, { first: 2, after: page.pageInfo.endCursor })).notifications.edges[0].node.message.body).toBe('Can you check the invoice?');

    const ids = all.edges.map((e: { node: { id: string } }) => e.node.id);
    const before = await app.snapshot();
    expect((await outsider.client.request(READ, { ids })).markNotificationsRead).toBe(0);
    expect(await app.snapshot()).toBe(before);
    expect((await colleague.client.request(READ, { ids: ids.slice(0, 2) })).markNotificationsRead).toBe(2);
    expect((await colleague.client.request(READ, { ids })).markNotificationsRead).toBe(ids.length - 2);
    expect((await colleague.client.request(READ, { ids })).markNotificationsRead).toBe(0);
    expect((await colleague.client.request(LIST, { unread: true })).notifications.totalCount).toBe(0);
    expect((await colleague.client.request(LIST)).notifications.edges.every((e: { node: { read: boolean } }) => e.node.read)).toBe(true);
  });

  it('streams my notifications only, not a colleague\'s (even of the same note), and ends when I am deactivated', async () => {
    const sales = (await app.admin.request('{ sectors { id name } }')).sectors.find((sector: { name: string }) => sector.name === 'Sales').id;
    const nia = await createAgent(app, 'Nia', [sales]);
    const leo = await createAgent(app, 'Leo', [sales]);
    const niaHears = await live(nia.token, salesTicket, nia.id);
    await app.admin.request(NOTE, { t: salesTicket, b: 'for Leo', m: [leo.id] });
    // One note for both: one commit holding two notifications, Leo's and Nia's; only hers reaches her.
    await app.admin.request(NOTE, { t: salesTicket, b: 'for both', m: [leo.id, nia.id] });
    await app.admin.request(NOTE, { t: salesTicket, b: 'for Nia', m: [nia.id] });
    expect((await niaHears.take(2)).map((pushed) => pushed.notificationAdded.message.body)).toEqual(['for both', 'for Nia']);
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }', { id: nia.id });
    await niaHears.completed;
  }, 15_000);
});

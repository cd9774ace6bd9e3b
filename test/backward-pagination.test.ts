import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { startReceiver } from './helpers/receiver.js';

// Every connection pages both ways through one helper (resolvers/connections.ts): walked backward
// from its end with last/before, a list gives the same rows as walked forward with first/after.

type Page = { edges: { cursor: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } };
type Read = (page: { first?: number; after?: string | null; last?: number; before?: string | null }) => Promise<Page>;

const PAGE = 'edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const ARGS = '$first: Int, $after: String, $last: Int, $before: String';
const PAGING = 'first: $first, after: $after, last: $last, before: $before';

async function forward(read: Read, size: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let step = 0; step < 50; step++) {
    const page = await read({ first: size, after });
    ids.push(...page.edges.map((edge) => edge.node.id));
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    if (!page.pageInfo.hasNextPage) return ids;
    after = page.pageInfo.endCursor;
  }
  throw new Error('the list never ended');
}

/** From the end of the list to its start; each page arrives newest first, so it goes in front. */
async function backward(read: Read, size: number): Promise<string[]> {
  const pages: string[][] = [];
  let before: string | null = null;
  for (let step = 0; step < 50; step++) {
    const page = await read({ last: size, before });
    pages.push(page.edges.map((edge) => edge.node.id));
    expect(page.pageInfo.hasNextPage).toBe(before !== null);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    if (!page.pageInfo.hasPreviousPage) return pages.reverse().flat();
    before = page.pageInfo.startCursor;
  }
  throw new Error('the list never began');
}

describe('backward pagination (last/before)', () => {
  let app: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let reader: Agent;
  let contactId: string;
  let ticketId: string;
  const lists: [name: string, read: () => Read, length: number][] = [];

  beforeAll(async () => {
    receiver = await startReceiver();
    app = await startTestApp({ pluginConfig: { webhooks: { allowPrivateUrls: true, maxAttempts: 1, retryBaseMs: 30, retryMaxMs: 100, pollMs: 20, timeoutMs: 2000 } } });
    const sectorId = await createSector(app, 'Sales');
    reader = await createAgent(app, 'Reader', [sectorId]);
    const writer = await createAgent(app, 'Writer', [sectorId]);
    await app.admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { secret } }', {
      input: { url: receiver.url, events: ['ticket.created'] },
    });
    const phones = ['+55 11 90000-0001', '+55 11 90000-0002', '+55 11 90000-0003', '+55 11 90000-0004', '+55 11 90000-0005'];
    const tickets: string[] = [];
    for (const phone of phones) tickets.push((await contactWrites(app, { phone, body: 'Hello', sectorId })).id);
    for (const body of ['second', 'third', 'fourth', 'fifth']) ticketId = (await contactWrites(app, { phone: phones[4]!, body, sectorId })).id;
    for (const id of tickets.slice(0, 3)) {
      await writer.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id });
      await writer.client.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id });
    }
    // A closed contact writes again: a second ticket of the same contact.
    ticketId = (await contactWrites(app, { phone: phones[0]!, body: 'again', sectorId })).id;
    const { ticket } = await app.admin.request('query($id: ID!) { ticket(id: $id) { contact { id } } }', { id: ticketId });
    contactId = ticket.contact.id;
    for (const body of ['one', 'two', 'three', 'four', 'five']) {
      await writer.client.request('mutation($t: ID!, $b: String!, $m: [ID!]) { addNote(ticketId: $t, body: $b, mentionedUserIds: $m) { id } }', { t: ticketId, b: body, m: [reader.id] });
    }

    const admin = () => app.admin;
    lists.push(
      ['tickets', () => async (page) => (await admin().request(`query(${ARGS}) { tickets(status: WAITING, ${PAGING}) { ${PAGE} } }`, page)).tickets, 3],
      ['closedTickets', () => async (page) => (await admin().request(`query(${ARGS}) { closedTickets(${PAGING}) { ${PAGE} } }`, page)).closedTickets, 3],
      ['contacts', () => async (page) => (await admin().request(`query(${ARGS}) { contacts(${PAGING}) { ${PAGE} } }`, page)).contacts, 5],
      ['contact tickets', () => async (page) => (await admin().request(`query($id: ID!, ${ARGS}) { node(id: $id) { ... on Contact { tickets(${PAGING}) { ${PAGE} } } } }`, { id: contactId, ...page })).node.tickets, 2],
      ['messages', () => async (page) => (await admin().request(`query($id: ID!, ${ARGS}) { ticket(id: $id) { messages(${PAGING}) { ${PAGE} } } }`, { id: ticketId, ...page })).ticket.messages, 6],
      ['timeline', () => async (page) => (await admin().request(`query($id: ID!, ${ARGS}) { node(id: $id) { ... on Contact { timeline(${PAGING}) { ${PAGE} } } } }`, { id: contactId, ...page })).node.timeline, 7],
      ['notifications', () => async (page) => (await reader.client.request(`query(${ARGS}) { notifications(${PAGING}) { ${PAGE} } }`, page)).notifications, 5],
      ['webhookDeliveries', () => async (page) => (await admin().request(`query(${ARGS}) { webhookDeliveries(${PAGING}) { ${PAGE} } }`, page)).webhookDeliveries, 6],
    );
    // Deliveries are queued by the outbox relay after the write: wait until all six are there.
    const deadline = Date.now() + 10_000;
    while ((await app.admin.request('{ webhookDeliveries { totalCount } }')).webhookDeliveries.totalCount < 6) {
      if (Date.now() > deadline) throw new Error('the deliveries never appeared');
      await new Promise((resolve) => setImmediate(resolve));
    }
  });
  afterAll(async () => {
    await app?.stop();
    await receiver?.close();
  });

  it('walks every connection backward from its end to the same rows as forward, at several page sizes', async () => {
    for (const [name, read, length] of lists) {
      const ahead = await forward(read(), 2);
      expect({ name, length: ahead.length }).toEqual({ name, length });
      expect(new Set(ahead).size).toBe(length);
      for (const size of [1, 2, 4]) {
        expect({ name, size, ids: await backward(read(), size) }).toEqual({ name, size, ids: ahead });
        expect({ name, size, ids: await forward(read(), size) }).toEqual({ name, size, ids: ahead });
      }
    }
  });

  it('reads the rows just before a cursor: the last two before the third row are the first two', async () => {
    for (const [name, read] of lists) {
      const all = await read()({ first: 100 });
      const at = Math.min(2, all.edges.length - 1);
      const page = await read()({ last: 2, before: all.edges[at]!.cursor });
      expect({ name, ids: page.edges.map((edge) => edge.node.id) }).toEqual({ name, ids: all.edges.slice(Math.max(0, at - 2), at).map((edge) => edge.node.id) });
      expect({ name, hasPreviousPage: page.pageInfo.hasPreviousPage, hasNextPage: page.pageInfo.hasNextPage }).toEqual({ name, hasPreviousPage: at > 2, hasNextPage: true });
      const oldest = await read()({ last: 1 });
      expect({ name, ids: oldest.edges.map((edge) => edge.node.id), hasPreviousPage: oldest.pageInfo.hasPreviousPage, hasNextPage: oldest.pageInfo.hasNextPage })
        .toEqual({ name, ids: [all.edges.at(-1)!.node.id], hasPreviousPage: true, hasNextPage: false });
    }
  });

  it('refuses first with last, after with before, and a bad last with BAD_USER_INPUT, changing nothing', async () => {
    const before = await app.snapshot();
    const cursor = (await app.admin.request(`query(${ARGS}) { contacts(${PAGING}) { ${PAGE} } }`, { first: 1 })).contacts.pageInfo.endCursor;
    const contacts = `query(${ARGS}) { contacts(${PAGING}) { ${PAGE} } }`;
    await app.admin.expectCode(contacts, { first: 1, last: 1 }, 'BAD_USER_INPUT', 'last');
    await app.admin.expectCode(contacts, { after: cursor, before: cursor }, 'BAD_USER_INPUT', 'before');
    await app.admin.expectCode(contacts, { first: 1, before: cursor }, 'BAD_USER_INPUT', 'before');
    await app.admin.expectCode(contacts, { last: 1, after: cursor }, 'BAD_USER_INPUT', 'after');
    await app.admin.expectCode(contacts, { last: 0 }, 'BAD_USER_INPUT', 'last');
    await app.admin.expectCode(contacts, { last: 101 }, 'BAD_USER_INPUT', 'last');
    await app.admin.expectCode(contacts, { last: 1, before: 'not-a-cursor' }, 'BAD_USER_INPUT', 'before');
    await app.admin.expectCode(`query(${ARGS}) { tickets(status: WAITING, ${PAGING}) { ${PAGE} } }`, { first: 2, last: 2 }, 'BAD_USER_INPUT', 'last');
    await reader.client.expectCode(`query(${ARGS}) { notifications(${PAGING}) { ${PAGE} } }`, { first: 2, last: 2 }, 'BAD_USER_INPUT', 'last');
    await app.admin.expectCode(`query(${ARGS}) { webhookDeliveries(${PAGING}) { ${PAGE} } }`, { first: 2, last: 2 }, 'BAD_USER_INPUT', 'last');
    expect(await app.snapshot()).toBe(before);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createSector } from './helpers/fixtures.js';

// The four paged lists share one cursor codec (resolvers/connections.ts): each pages to its end
// one row at a time, and a cursor that is not one of its own is BAD_USER_INPUT on `after`.

const TICKETS = 'query($after: String) { tickets(status: WAITING, first: 1, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }';
const CONTACTS = 'query($after: String) { contacts(first: 1, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } }';
const MESSAGES = 'query($id: ID!, $after: String) { ticket(id: $id) { messages(first: 1, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }';
const TIMELINE = 'query($id: ID!, $after: String) { node(id: $id) { ... on Contact { timeline(first: 1, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } } } }';
const DELIVERIES = 'query($after: String) { webhookDeliveries(first: 1, after: $after) { nodes { id } pageInfo { hasNextPage endCursor } } }';

type Page = { totalCount?: number; edges: { cursor?: string; node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

async function walk(read: (after: string | null) => Promise<Page>): Promise<{ ids: string[]; totalCount: number | undefined }> {
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount: number | undefined;
  for (let step = 0; step < 20; step++) {
    const page = await read(after);
    totalCount = page.totalCount;
    ids.push(...page.edges.map((edge) => edge.node.id));
    if (page.edges.length > 0) expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor ?? page.pageInfo.endCursor);
    if (!page.pageInfo.hasNextPage) return { ids, totalCount };
    after = page.pageInfo.endCursor;
  }
  throw new Error('the list never ended');
}

describe('connections', () => {
  let app: TestApp;
  let ticketId: string;
  let contactId: string;

  beforeAll(async () => {
    app = await startTestApp();
    const sectorId = await createSector(app, 'Sales');
    for (const phone of ['+55 11 90000-0001', '+55 11 90000-0002', '+55 11 90000-0003']) await contactWrites(app, { phone, body: 'Hello', sectorId });
    for (const body of ['second', 'third']) ticketId = (await contactWrites(app, { phone: '+55 11 90000-0003', body, sectorId })).id;
    const { ticket } = await app.admin.request('query($id: ID!) { ticket(id: $id) { contact { id } } }', { id: ticketId });
    contactId = ticket.contact.id;
  });
  afterAll(() => app?.stop());

  it('page tickets, contacts, messages and a timeline to their end, each row once, in order', async () => {
    const tickets = await walk(async (after) => (await app.admin.request(TICKETS, { after })).tickets);
    expect(tickets.totalCount).toBe(3);
    expect(new Set(tickets.ids).size).toBe(3);
    expect(tickets.ids[0]).toBe(ticketId); // newest activity first

    const contacts = await walk(async (after) => (await app.admin.request(CONTACTS, { after })).contacts);
    expect(contacts.totalCount).toBe(3);
    expect(new Set(contacts.ids).size).toBe(3);
    expect(contacts.ids[0]).toBe(contactId);

    const messages = await walk(async (after) => (await app.admin.request(MESSAGES, { id: ticketId, after })).ticket.messages);
    expect(messages.totalCount).toBe(3);
    expect(new Set(messages.ids).size).toBe(3);

    const timeline = await walk(async (after) => (await app.admin.request(TIMELINE, { id: contactId, after })).node.timeline);
    expect(timeline.ids).toEqual(messages.ids);
  });

  it("refuse a cursor that is not the list's own with BAD_USER_INPUT on after, changing nothing", async () => {
    const before = await app.snapshot();
    const { tickets } = await app.admin.request(TICKETS, { after: null });
    const ticketCursor = tickets.pageInfo.endCursor as string;
    const { ticket } = await app.admin.request(MESSAGES, { id: ticketId, after: null });
    const messageCursor = ticket.messages.pageInfo.endCursor as string;
    const garbage = Buffer.from('not:a:cursor').toString('base64url');

    for (const after of [garbage, messageCursor, 'e30']) {
      await app.admin.expectCode(TICKETS, { after }, 'BAD_USER_INPUT', 'after');
      await app.admin.expectCode(CONTACTS, { after }, 'BAD_USER_INPUT', 'after');
    }
    for (const after of [garbage, ticketCursor]) {
      await app.admin.expectCode(MESSAGES, { id: ticketId, after }, 'BAD_USER_INPUT', 'after');
      await app.admin.expectCode(TIMELINE, { id: contactId, after }, 'BAD_USER_INPUT', 'after');
      await app.admin.expectCode(DELIVERIES, { after }, 'BAD_USER_INPUT', 'after');
    }
    expect(await app.snapshot()).toBe(before);
  });
});

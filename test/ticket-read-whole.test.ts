import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import { expectUnchanged } from './helpers/unchanged.js';

// ticket(id) reads the ticket with its contact, sector and, when the query asks for them, its newest
// messages in one go (resolvers/tickets/queries.ts ticketView). Whatever the query's shape, the answer
// is the one node(id) gives, which reads each field on its own.

const FIELDS = 'id protocol status contact { id name phone } sector { id name } lastMessage { id body }';
const PAGE = 'totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id body direction createdAt } }';

let app: TestApp;
let ana: Agent; // Sales
let bruno: Agent; // Support
let ticketId: string;
let sales: string;
const bodies = ['one', 'two', 'three', 'four', 'five'];

beforeAll(async () => {
  app = await startTestApp();
  sales = await createSector(app, 'Sales');
  const support = await createSector(app, 'Support');
  ana = await createAgent(app, 'Ana', [sales]);
  bruno = await createAgent(app, 'Bruno', [support]);
  for (const body of bodies) ticketId = (await contactWrites(app, { phone: '+55 11 97777-0001', name: 'Maria', body, sectorId: sales })).id;
});
afterAll(() => app.stop());

/** The same selection through ticket(id) and through node(id), which primes nothing. */
async function bothWays(agent: Agent, selection: string, variables: Record<string, unknown> = {}, declared = '') {
  const { ticket } = await agent.client.request(`query($id: ID!${declared}) { ticket(id: $id) { ${selection} } }`, { id: ticketId, ...variables });
  const { node } = await agent.client.request(`query($id: ID!${declared}) { node(id: $id) { ... on Ticket { ${selection} } } }`, { id: ticketId, ...variables });
  return { ticket, node };
}

const bodiesOf = (page: { edges: { node: { body: string } }[] }) => page.edges.map((edge) => edge.node.body);

describe('ticket(id) read whole', () => {
  it('gives the newest messages page, contact, sector and last message as node(id) does, for every page size', async () => {
    for (const first of [1, 2, 4, 5, 6, 50]) {
      const { ticket, node } = await bothWays(ana, `${FIELDS} messages(first: ${first}) { ${PAGE} }`);
      expect(ticket).toEqual(node);
      expect(bodiesOf(ticket.messages)).toEqual([...bodies].reverse().slice(0, first));
      expect(ticket.messages.pageInfo.hasNextPage).toBe(first < bodies.length);
      expect(ticket.contact).toMatchObject({ name: 'Maria', phone: '5511977770001' });
      expect(ticket.sector.name).toBe('Sales');
      expect(ticket.lastMessage.body).toBe('five');
    }
    // No arguments: the default page of 20.
    const { ticket, node } = await bothWays(ana, `${FIELDS} messages { ${PAGE} }`);
    expect(ticket).toEqual(node);
    expect(bodiesOf(ticket.messages)).toEqual([...bodies].reverse());
  });

  it('follows variables, fragments, aliases and @include as the query writes them', async () => {
    const viaVariable = await bothWays(ana, `messages(first: $n) { ${PAGE} }`, { n: 3 }, ', $n: Int');
    expect(viaVariable.ticket).toEqual(viaVariable.node);
    expect(bodiesOf(viaVariable.ticket.messages)).toEqual(['five', 'four', 'three']);

    const { ticket: viaFragment } = await ana.client.request(
      `query($id: ID!) { ticket(id: $id) { ...Conversation } } fragment Conversation on Ticket { id messages(first: 2) { ${PAGE} } }`,
      { id: ticketId },
    );
    expect(bodiesOf(viaFragment.messages)).toEqual(['five', 'four']);

    // Two pages of different sizes: each gets its own size, whichever the read took beforehand.
    const aliased = await bothWays(ana, `short: messages(first: 2) { ${PAGE} } long: messages(first: 4) { ${PAGE} }`);
    expect(aliased.ticket).toEqual(aliased.node);
    expect(bodiesOf(aliased.ticket.short)).toEqual(['five', 'four']);
    expect(bodiesOf(aliased.ticket.long)).toEqual(['five', 'four', 'three', 'two']);

    const skipped = await bothWays(ana, `id messages(first: 2) @include(if: $with) { ${PAGE} }`, { with: false }, ', $with: Boolean!');
    expect(skipped.ticket).toEqual({ id: ticketId });
    expect(skipped.node).toEqual({ id: ticketId });
  });

  it('reads pages from a cursor or backward on their own, with the same answers', async () => {
    const { ticket: firstPage } = await bothWays(ana, `messages(first: 2) { ${PAGE} }`);
    const after = firstPage.messages.pageInfo.endCursor as string;
    const next = await bothWays(ana, `messages(first: 2, after: $after) { ${PAGE} }`, { after }, ', $after: String');
    expect(next.ticket).toEqual(next.node);
    expect(bodiesOf(next.ticket.messages)).toEqual(['three', 'two']);

    const oldest = await bothWays(ana, `messages(last: 2) { ${PAGE} }`);
    expect(oldest.ticket).toEqual(oldest.node);
    expect(bodiesOf(oldest.ticket.messages)).toEqual(['two', 'one']);
    expect(oldest.ticket.messages.pageInfo.hasPreviousPage).toBe(true);
  });

  it('sees a message written after an earlier read of the same ticket', async () => {
    const { ticket: before } = await bothWays(ana, `messages(first: 1) { ${PAGE} }`);
    expect(bodiesOf(before.messages)).toEqual(['five']);
    await contactWrites(app, { phone: '+55 11 97777-0001', body: 'six' });
    bodies.push('six');
    const after = await bothWays(ana, `lastMessage { body } messages(first: 1) { ${PAGE} }`);
    expect(after.ticket).toEqual(after.node);
    expect(bodiesOf(after.ticket.messages)).toEqual(['six']);
    expect(after.ticket.lastMessage.body).toBe('six');
  });

  it('answers null for a ticket outside my sectors, messages asked or not', async () => {
    for (const selection of ['id', `id messages(first: 5) { ${PAGE} }`]) {
      const { ticket, node } = await bothWays(bruno, selection);
      expect(ticket).toBeNull();
      expect(node).toBeNull();
    }
  });

  it('refuses bad page arguments on the messages field with BAD_USER_INPUT, changing nothing', async () => {
    const query = (messages: string) => `query($id: ID!) { ticket(id: $id) { id ${messages} { ${PAGE} } } }`;
    await expectUnchanged(app, async () => {
      await ana.client.expectCode(query('messages(first: 0)'), { id: ticketId }, 'BAD_USER_INPUT', 'first');
      await ana.client.expectCode(query('messages(first: 101)'), { id: ticketId }, 'BAD_USER_INPUT', 'first');
      await ana.client.expectCode(query('messages(first: 2, last: 2)'), { id: ticketId }, 'BAD_USER_INPUT', 'last');
      await ana.client.expectCode(query('messages(first: 2, after: "not a cursor")'), { id: ticketId }, 'BAD_USER_INPUT', 'after');
    });
  });

  // Tab pages and ticket(id) read PostgreSQL's rows as JSON with instants as epoch seconds; node(id)
  // reads typed columns. Every instant must come out the same, to the millisecond.
  it('gives every instant to the millisecond on tab pages and in ticket(id), as node(id) reads it', async () => {
    const INSTANTS = 'id createdAt queuedAt acceptedAt lastActivityAt contact { createdAt } sector { createdAt } lastMessage { createdAt }';
    for (let i = 0; i < 12; i++) await contactWrites(app, { phone: `+55 11 96666-00${String(i).padStart(2, '0')}`, name: `Instant ${i}`, body: `instant ${i}`, sectorId: sales });
    const waiting = await ana.client.request(`{ tickets(status: WAITING, first: 50) { edges { node { ${INSTANTS} } } } }`);
    for (const { node } of waiting.tickets.edges.slice(0, 4)) await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: node.id });
    const pages = await ana.client.request(`{ w: tickets(status: WAITING, first: 50) { edges { node { ${INSTANTS} } } } o: tickets(status: OPEN, first: 50) { edges { node { ${INSTANTS} } } } }`);
    type Instants = { id: string; createdAt: string; acceptedAt: string | null };
    const listed: Instants[] = [...pages.w.edges, ...pages.o.edges].map((edge: { node: Instants }) => edge.node);
    expect(listed.length).toBeGreaterThanOrEqual(13);
    expect(listed.filter((ticket) => ticket.acceptedAt !== null)).toHaveLength(4);
    for (const ticket of listed) {
      const { ticket: whole } = await ana.client.request(`query($id: ID!) { ticket(id: $id) { ${INSTANTS} messages(first: 50) { edges { node { createdAt } } } } }`, { id: ticket.id });
      const { node } = await ana.client.request(`query($id: ID!) { node(id: $id) { ... on Ticket { ${INSTANTS} messages(first: 50) { edges { node { createdAt } } } } } }`, { id: ticket.id });
      expect(ticket).toEqual({ ...node, messages: undefined });
      expect(whole).toEqual(node);
    }
    // Written at the server's clock, the instants carry milliseconds: a check at whole seconds would prove little.
    expect(listed.some((ticket) => !ticket.createdAt.endsWith('.000Z'))).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';

// No N+1: a tab page with its nested contact, sector, assignee, channel, last message and tags
// costs the same number of SQL statements for 5 tickets as for 50.

const PAGE = `query($status: TicketStatus!, $first: Int) { tickets(status: $status, first: $first, all: true) { totalCount edges { node {
  id protocol status contact { name phone tags } sector { name color } assignee { name sectors { name } } channel { name }
  lastMessage { body author } tags } } } }`;

let statements: string[] = [];
let app: TestApp;
let ana: Agent;

beforeAll(async () => {
  // Background readers (outbox relay, webhook sender, the relay lease) run on timers; slowed here so that only the
  // request's own statements land in the count.
  const quiet = 3_600_000;
  app = await startTestApp({ onStatement: (sql) => statements.push(sql), relay: { pollMs: quiet, leaseMs: quiet }, pluginConfig: { webhooks: { pollMs: quiet } } });
  const sectors = [await createSector(app, 'A'), await createSector(app, 'B'), await createSector(app, 'C')];
  ana = await createAgent(app, 'Ana', sectors);
  const others = [await createAgent(app, 'Bia', sectors), await createAgent(app, 'Caio', sectors)];
  for (let i = 0; i < 60; i++) {
    const ticket = await contactWrites(app, { phone: `55119${String(i).padStart(8, '0')}`, name: `Contact ${i}`, body: `message ${i}`, sectorId: sectors[i % 3]! });
    const taker = [ana, ...others][i % 3]!;
    await taker.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id });
  }
  await app.running.relay.settled();
});
afterAll(() => app.stop());

async function statementsFor(first: number): Promise<{ count: number; rows: number }> {
  statements = [];
  const { tickets } = await ana.client.request(PAGE, { status: 'OPEN', first });
  return { count: statements.length, rows: tickets.edges.length };
}

describe('SQL statements per request', () => {
  it('stays bounded for a nested 50-ticket page (no N+1)', async () => {
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    expect(small.rows).toBe(5);
    expect(large.rows).toBe(50);
    expect(large.count).toBe(small.count);
    // 1 loads the viewer, 1 the page with its contacts, sectors and last messages, 2 totalCount (my
    // sectors + mine elsewhere), then one batch per other relation: users, channels, ticket tags,
    // contact tags, the assignees' memberships and their sectors.
    expect(large.count).toBeLessThanOrEqual(10);
  });
});

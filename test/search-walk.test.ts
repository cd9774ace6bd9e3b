import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchWalkLength } from '../db/pages.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { engine } from './helpers/engine.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';

// A searched tab is first read by walking its newest tickets (db/pages.ts' searchWalkLength), each tested
// on its own contact and messages; a term the walk finds too rarely is read through the trigram indexes.
// Either way the page is the same: the tab's tickets the term finds, in tab order.

const PAGE = `query($search: String, $first: Int, $after: String, $last: Int, $before: String) {
  tickets(status: WAITING, search: $search, first: $first, after: $after, last: $last, before: $before) {
    totalCount edges { node { id } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`;

interface Page { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor: string | null; startCursor: string | null } }

let app: TestApp;
let statements: string[] = [];
let agent: Agent;
/** The tab in page order (newest first), and which of its tickets each term finds. */
let tab: string[];
const finds = { common: new Set<string>(), rare: new Set<string>() };
/** Each ticket's contact name. */
const names = new Map<string, string>();
const ticketCount = searchWalkLength + 12;

beforeAll(async () => {
  app = await startTestApp({ onStatement: (sql) => statements.push(sql) });
  const sector = await createSector(app, 'Support');
  agent = await createAgent(app, 'Ana', [sector]);
  for (let i = 0; i < ticketCount; i++) {
    // The rare term: only in the three oldest tickets, past the walk of the newest. The common one: every fourth.
    const rare = i < 3;
    const common = i % 4 === 0;
    const body = `${rare ? 'my Zebra-42 order' : 'hello'} ${common ? 'about a REFUND please' : 'thanks'}`;
    const ticket = await contactWrites(app, { phone: `5511${String(700_000_000 + i)}`, name: `Walk ${i}`, body, sectorId: sector });
    names.set(ticket.id, `Walk ${i}`);
    if (rare) finds.rare.add(ticket.id);
    if (common) finds.common.add(ticket.id);
  }
  tab = [];
  let after: string | null = null;
  do {
    const { tickets }: { tickets: Page } = await agent.client.request(PAGE, { first: 100, after });
    tab.push(...tickets.edges.map((edge) => edge.node.id));
    after = tickets.pageInfo.hasNextPage ? tickets.pageInfo.endCursor : null;
  } while (after);
}, 120_000);
afterAll(() => app.stop());

async function searched(variables: Record<string, unknown>): Promise<Page> {
  return (await agent.client.request(PAGE, variables)).tickets;
}

/** The page statements a searched request ran: the walk's, and the index read's when the walk did not decide. */
async function pageStatementsOf(variables: Record<string, unknown>): Promise<{ walks: number; pages: number }> {
  statements = [];
  await searched(variables);
  // SQLite's page statement always joins the contacts; PostgreSQL's builds its rows with json_agg, joining what the query asks.
  const pages = statements.filter((sql) => /FROM "?tickets"?\s+LEFT JOIN "?contacts"?/i.test(sql) || sql.includes('json_agg(json_build_array('));
  return { walks: pages.filter((sql) => /\bwalked\b/.test(sql)).length, pages: pages.length };
}

describe('a searched tab the walk reads to its end', () => {
  it('finds what the trigram index finds, a character folded to ASCII included', async () => {
    const lab = await createSector(app, 'Lab');
    const chemist = await createAgent(app, 'Bia', [lab]);
    const bodies = ['reading in \u212aelvin', 'kelvin, lower case', 'celsius only, hello', 'KELVIN shouted'];
    const ids: string[] = [];
    for (const [i, body] of bodies.entries()) ids.push((await contactWrites(app, { phone: `5521${String(800_000_000 + i)}`, name: `Lab ${i}`, body, sectorId: lab })).id);
    statements = [];
    const { tickets } = await chemist.client.request(PAGE, { search: 'Kelvin', first: 10 });
    expect(tickets.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([ids[3], ids[1], ids[0]]);
    expect(tickets.totalCount).toBe(3);
    expect(statements.filter((sql) => /\bwalked\b/.test(sql))).toHaveLength(1);
    // "hello" is in every other sector's messages, hundreds of times this tab's size: on SQLite the count
    // tests the tab's tickets rather than read every match (PostgreSQL's planner makes that choice itself).
    statements = [];
    const common = (await chemist.client.request(PAGE, { search: 'HELLO', first: 10 })).tickets;
    expect(common.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([ids[2]]);
    expect(common.totalCount).toBe(1);
    if (engine === 'sqlite') expect(statements.filter((sql) => /^SELECT count\(\*\) AS n FROM tickets WHERE .*EXISTS \(SELECT 1 FROM messages m/s.test(sql))).toHaveLength(1);
  });
});

describe('a searched tab longer than the walk', () => {
  it('holds more tickets than one walk reads', () => {
    expect(tab).toHaveLength(ticketCount);
    expect(ticketCount).toBeGreaterThan(searchWalkLength);
  });

  it('finds a term only older tickets hold, past the walk, through the index', async () => {
    const expected = tab.filter((id) => finds.rare.has(id));
    expect(expected).toHaveLength(3);
    for (const search of ['zebra-42', 'ZEBRA', '  Zebra-4 ']) {
      const page = await searched({ search, first: 10 });
      expect(page.edges.map((edge) => edge.node.id)).toEqual(expected);
      expect(page.totalCount).toBe(3);
      expect(page.pageInfo.hasNextPage).toBe(false);
    }
    expect(await pageStatementsOf({ search: 'zebra', first: 10 })).toEqual({ walks: 1, pages: 2 });
    const oldestFirst = await searched({ search: 'zebra', last: 2 });
    expect(oldestFirst.edges.map((edge) => edge.node.id)).toEqual(expected.slice(1));
    expect(oldestFirst.pageInfo.hasPreviousPage).toBe(true);
  });

  it('pages through a common term in tab order, each ticket once', async () => {
    const expected = tab.filter((id) => finds.common.has(id));
    expect(expected.length).toBeGreaterThan(searchWalkLength / 4);
    expect(await pageStatementsOf({ search: 'refund', first: 50 })).toEqual({ walks: 1, pages: 1 });
    const read: string[] = [];
    let after: string | null = null;
    do {
      const page = await searched({ search: 'refund', first: 50, after });
      expect(page.totalCount).toBe(expected.length);
      read.push(...page.edges.map((edge) => edge.node.id));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(read).toEqual(expected);
    const newest = await searched({ search: 'refund', last: 50, before: (await searched({ search: 'refund', first: 60 })).pageInfo.endCursor });
    expect(newest.edges.map((edge) => edge.node.id)).toEqual(expected.slice(9, 59));
  });

  it('finds contacts by name the same way, walked or not', async () => {
    for (const search of ['walk 1', 'WALK 50', 'alk 3']) {
      const expected = tab.filter((id) => names.get(id)!.toLowerCase().includes(search.toLowerCase()));
      const page = await searched({ search, first: 100 });
      expect(page.edges.map((edge) => edge.node.id)).toEqual(expected.slice(0, 100));
      expect(page.totalCount).toBe(expected.length);
    }
  });
});

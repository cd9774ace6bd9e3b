import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrateDatabase } from '../db/postgres/migrate.js';
import type { PgDb } from '../db/postgres/client.js';
import { ticketQueries } from '../db/postgres/queries/tickets.js';
import * as tables from '../db/postgres/tables/index.js';
import type { TicketPageCursor, TicketScope, TicketTab } from '../db/types.js';

// npx tsx bench/pg-tab-plans.ts postgres://.../<empty database>: fills it with 350k tickets (300k in one
// account: 80% CLOSED, 15% OPEN, 5% WAITING, 50 sectors, agents in 2-3 of them; one ticket per contact
// and channel, so the one-live-ticket index holds; two messages each) unless it holds tickets
// already, then prints EXPLAIN (ANALYZE, BUFFERS) of every statement ticketQueries runs for tab pages
// and counts, with the parameters it binds.

const url = process.argv[2];
if (!url?.startsWith('postgres')) throw new Error('usage: npx tsx bench/pg-tab-plans.ts postgres://.../<database>');
const pool = new pg.Pool({ connectionString: url });
await migrateDatabase(pool);

// Bulk rows go in with the count triggers off (one transaction adding to the same count rows 300k times
// is quadratic), then the count tables are filled in one pass, as the triggers would have left them.
const seed = `
SET session_replication_role = replica;
SELECT setseed(0.42);
INSERT INTO accounts (name, created_at, ticket_sequence) VALUES ('Big', now(), 300000), ('Other', now(), 50000);
INSERT INTO sectors (account_id, name, color, created_at) SELECT CASE WHEN g <= 50 THEN 1 ELSE 2 END, 'S' || g, '#fff', now() FROM generate_series(1, 60) g;
INSERT INTO users (account_id, name, email, password_hash, role, status_changed_at, created_at, updated_at)
  SELECT CASE WHEN g <= 500 THEN 1 ELSE 2 END, 'U' || g, 'u' || g || '@bench.test', 'x', CASE WHEN g = 1 THEN 'ADMIN' ELSE 'USER' END, now(), now(), now() FROM generate_series(1, 550) g;
INSERT INTO user_sectors (user_id, sector_id) SELECT DISTINCT g, s FROM generate_series(2, 500) g,
  LATERAL (VALUES ((g % 50) + 1), (((g * 7) % 50) + 1), (((g * 13) % 50) + 1)) v(s) WHERE s <> ((g * 13) % 50) + 1 OR g % 2 = 0;
INSERT INTO channels (account_id, name, kind, created_at) VALUES (1, 'C1', 'API', now()), (1, 'C2', 'API', now()), (2, 'C3', 'API', now());
INSERT INTO contacts (account_id, name, phone, created_at, updated_at)
  SELECT CASE WHEN g <= 200000 THEN 1 ELSE 2 END, (ARRAY['Ana','Bruno','Carla','Diego','Elisa','Fábio','Gabi','Hugo'])[1 + g % 8] || ' '
    || (ARRAY['Souza','Lima','Costa','Alves','Rocha'])[1 + (g / 8) % 5] || ' ' || g, '5511' || lpad(g::text, 9, '0'), now(), now()
  FROM generate_series(1, 250000) g;
INSERT INTO tickets (account_id, protocol, contact_id, channel_id, sector_id, assignee_id, status, created_at, queued_at, last_activity_at)
SELECT a, CASE WHEN a = 1 THEN g ELSE g - 300000 END, c, ch, s, CASE WHEN st = 'WAITING' THEN NULL ELSE 2 + ((g * 31) % 499) END, st, at, CASE WHEN st = 'WAITING' THEN at END, at
FROM (
  SELECT g, CASE WHEN g <= 300000 THEN 1 ELSE 2 END AS a,
    CASE WHEN g <= 300000 THEN 1 + g % 200000 ELSE g - 100000 END AS c,
    CASE WHEN g <= 300000 THEN 1 + g / 200000 ELSE 3 END AS ch,
    CASE WHEN r < 0.05 THEN 'WAITING' WHEN r < 0.20 THEN 'OPEN' ELSE 'CLOSED' END AS st,
    CASE WHEN r < 0.005 THEN NULL WHEN g <= 300000 THEN 1 + (g * 17) % 50 ELSE 51 + g % 10 END AS s,
    timestamptz '2026-01-01' + (g * interval '60 seconds') + ((g % 7) * interval '1 millisecond') AS at
  FROM (SELECT g, random() AS r FROM generate_series(1, 350000) g) x
) t;
INSERT INTO messages (account_id, ticket_id, direction, author, kind, body, created_at)
  SELECT t.account_id, t.id, 'IN', 'CONTACT', 'text', (ARRAY['order','delivery','refund','invoice','late','broken','thanks','please'])[1 + (t.id + k) % 8]
    || ' ' || (ARRAY['today','tomorrow','price','plan','account','password','help'])[1 + (t.id * k) % 7] || ' #' || t.id, t.last_activity_at
  FROM tickets t, generate_series(1, 2) k;
UPDATE tickets t SET last_message_id = m.id FROM (SELECT ticket_id, max(id) AS id FROM messages GROUP BY ticket_id) m WHERE m.ticket_id = t.id;
SET session_replication_role = origin;
INSERT INTO ticket_counts (account_id, status, sector_id, assignee_id, slot, n)
  SELECT account_id, status, coalesce(sector_id, 0), coalesce(assignee_id, 0), 0, count(*) FROM tickets GROUP BY 1, 2, 3, 4;
INSERT INTO ticket_totals (account_id, status, slot, n) SELECT account_id, status, 0, count(*) FROM tickets GROUP BY 1, 2;
SELECT setval(pg_get_serial_sequence(t, 'id'), (SELECT max(id) FROM tickets)) FROM (VALUES ('tickets')) v(t);
`;
const { rows: existing } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets');
if (existing[0]!.n === 0) {
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query(seed);
  } finally {
    client.release();
  }
  await pool.query('VACUUM ANALYZE');
  console.log(`seeded 350k tickets in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

let captured: { query: string; params: unknown[] }[] = [];
const db = drizzle(pool, { schema: tables, logger: { logQuery: (query, params) => void captured.push({ query, params }) } }) as unknown as PgDb;
const tickets = ticketQueries(db);
const sectorIds = (await pool.query<{ sector_id: number }>('SELECT sector_id FROM user_sectors WHERE user_id = 2 ORDER BY 1')).rows.map((row) => row.sector_id);
const agent: TicketScope = { kind: 'agent', accountId: 1, userId: 2, sectorIds, potentials: true };
const admin: TicketScope = { kind: 'account', accountId: 1, userId: 1 };
const closed: TicketTab = { status: 'CLOSED', assignedOnly: false };
async function cursorAfter(rows: number): Promise<TicketPageCursor> {
  const last = (await tickets.page(agent, closed, rows)).tickets.at(-1)!;
  return { lastActivityAt: last.lastActivityAt.getTime(), id: last.id };
}
const cursor = await cursorAfter(500);
const cases: [string, () => Promise<unknown>][] = [
  [`agent (sectors ${sectorIds.join(', ')}, potentials) WAITING tab, first 50`, () => tickets.page(agent, { status: 'WAITING', assignedOnly: false }, 50)],
  ['agent CLOSED tab, 50 after 500 rows', () => tickets.page(agent, closed, 50, cursor)],
  ['agent CLOSED tab, last 50 before that cursor', () => tickets.page(agent, closed, 50, cursor, 'backward')],
  ['ADMIN CLOSED tab, first 50', () => tickets.page(admin, closed, 50)],
  ['ADMIN OPEN (all) tab of one sector, first 50', () => tickets.page(admin, { status: 'OPEN', assignedOnly: false, sectorId: 7 }, 50)],
  ['agent WAITING tab searched "ana souza", first 50', () => tickets.page(agent, { status: 'WAITING', assignedOnly: false, search: 'ana souza' }, 50)],
  ['agent WAITING tab count searched "refund"', () => tickets.count(agent, { status: 'WAITING', assignedOnly: false, search: 'refund' })],
  ['agent ticketCounts', () => tickets.tabCounts(agent)],
  ['ADMIN ticketCounts', () => tickets.tabCounts(admin)],
];
for (const [label, run] of cases) {
  captured = [];
  await run();
  for (const { query, params } of captured) {
    const plan = await pool.query({ text: `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query}`, values: params });
    console.log(`\n### ${label}\n${plan.rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n')}`);
  }
}
await pool.end();

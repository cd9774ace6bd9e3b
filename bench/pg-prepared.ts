import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { ticketQueries } from '../db/postgres/queries/tickets.js';
import { messageQueries } from '../db/postgres/queries/messages.js';
import { userQueries } from '../db/postgres/queries/users.js';
import * as tables from '../db/postgres/tables/index.js';
import type { TicketScope } from '../db/types.js';
import type { Dataset } from './dataset.js';
import { startCluster } from './peer/postgres.js';

// npm run bench:pg-prepared [-- --quick]: what named prepared statements would save on the hot reads of
// Deskgraph on PostgreSQL. The store's own functions run once against the copy bench:http --engine
// postgres made (database deskgraph_bench of the peer's cluster); each statement they sent is then
// replayed on one connection as drizzle sends it (unnamed: parsed and planned every time) and named
// (parsed once, plan cached by PostgreSQL), alternated; reported: wall time and the backend's CPU per execution.

const quick = process.argv.includes('--quick');
const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const name = quick ? 'bench-quick' : 'bench-1m';
const dataset = JSON.parse(readFileSync(join(dataDir, `${name}.sqlite.json`), 'utf8')) as Dataset;
const runs = 2000;

const cluster = await startCluster(join(dataDir, 'pg', name), console.log);
const pool = new pg.Pool({ connectionString: `postgres://postgres@127.0.0.1:${cluster.port}/deskgraph_bench`, max: 1 });
try {
  // Every statement the store functions send, captured at the pool with its values and row mode.
  const sent: { label: string; config: pg.QueryConfig & { rowMode?: string } }[] = [];
  let label = '';
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  (pool as unknown as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
    // drizzle passes the values as the second argument.
    if (typeof config === 'object' && config && 'text' in config) sent.push({ label, config: { ...(config as pg.QueryConfig), values: (rest[0] as unknown[] | undefined) ?? (config as pg.QueryConfig).values } });
    return query(config, ...rest);
  };
  const db = drizzle(pool, { schema: tables });
  const scope: TicketScope = { kind: 'agent', accountId: dataset.accountId, userId: dataset.agent.userId, sectorIds: dataset.agent.sectorIds };
  const tickets = ticketQueries(db);
  label = 'the viewer with their sectors';
  await userQueries(db).withSectors(dataset.agent.userId);
  label = 'WAITING page (50)';
  const page = await tickets.page(scope, { status: 'WAITING', assignedOnly: false }, 50);
  label = 'tab counts';
  await tickets.tabCounts(scope);
  label = 'ticket by id';
  await tickets.byIdsInScope(scope, [page.tickets[0]!.id]);
  label = 'messages of a ticket (50)';
  await messageQueries(db).pageOf(page.tickets[0]!.id, 50);

  const client = await pool.connect();
  try {
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const cpuMs = () => {
      const fields = readFileSync(`/proc/${backend}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    const time = async (config: pg.QueryConfig) => {
      const cpu = cpuMs();
      const started = performance.now();
      for (let i = 0; i < runs; i++) await client.query(config);
      return { ms: (performance.now() - started) / runs, cpu: (cpuMs() - cpu) / runs };
    };
    console.log(`| statement (${runs} runs each, one connection, best of 2 alternated) | unnamed: wall ms | unnamed: backend CPU ms | named: wall ms | named: backend CPU ms |`);
    console.log('|---|---|---|---|---|');
    for (const [index, { label: what, config }] of sent.entries()) {
      const named = { ...config, name: `bench_${index}` };
      let unnamed = { ms: Infinity, cpu: Infinity };
      let prepared = { ms: Infinity, cpu: Infinity };
      for (let round = 0; round < 2; round++) {
        const a = await time(config);
        const b = await time(named);
        if (a.ms < unnamed.ms) unnamed = a;
        if (b.ms < prepared.ms) prepared = b;
      }
      console.log(`| ${what}: ${config.text.slice(0, 60).replace(/\|/g, '/')}... | ${unnamed.ms.toFixed(3)} | ${unnamed.cpu.toFixed(3)} | ${prepared.ms.toFixed(3)} | ${prepared.cpu.toFixed(3)} |`);
    }
  } finally {
    client.release();
  }
} finally {
  await pool.end();
  cluster.stop();
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from './dataset.js';
import { clusterCpuMs, cpuMs, deskgraphToken, secret, startProcess, stop } from './http-kit.js';
import { phoneOf } from './http-writes.js';
import { mixPools } from './mix.js';
import { startCluster } from './peer/postgres.js';

// npm run bench:pg-write-cost [-- --writes 400]: what one write costs in CPU on PostgreSQL, one at a time, so
// nothing else shares the cores. The floor server (bench/bare-postgres-server.ts: the domain functions
// behind bare node:http) on a scratch clone of the 1M copy bench:http -- --engine postgres made; ingestMessage
// onto live tickets, then acceptTicket and closeTicket. CPU ms per write from /proc: the server, and the
// cluster's every process. Prints a Markdown table.

const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const path = join(dataDir, 'bench-1m.sqlite');
if (!existsSync(`${path}.json`)) throw new Error(`No dataset at ${path}: run npm run bench:plans first`);
const dataset = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Dataset;
const writesArg = process.argv.indexOf('--writes');
const writes = writesArg > 0 ? Number(process.argv[writesArg + 1]) : 400;

const cluster = await startCluster(join(dataDir, 'pg', 'bench-1m'), () => {});
const postmaster = Number(readFileSync(join(cluster.dir, 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);
await cluster.psql(['drop database if exists deskgraph_write_cost', 'create database deskgraph_write_cost template deskgraph_bench']);
const env = { HOST: '127.0.0.1', JWT_SECRET: secret, NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: `postgres://postgres@127.0.0.1:${cluster.port}/deskgraph_write_cost` };
const server = await startProcess(['bench/bare-postgres-server.ts'], env, /listening on (\d+)/);
try {
  const base = `http://127.0.0.1:${server.port}`;
  const call = async (token: string, route: string, method = 'POST') => {
    const response = await fetch(`${base}${route}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${route}: ${response.status} ${text}`);
  };
  const agentToken = await deskgraphToken(dataset.agent.userId);
  const adminResponse = await fetch(`${base}/integration`, { method: 'POST', headers: { authorization: `Bearer ${await deskgraphToken(dataset.adminId)}` } });
  const botToken = ((await adminResponse.json()) as { token: string }).token;
  const pools = mixPools(path, dataset);
  const rows: string[] = [];
  const measure = async (name: string, write: (i: number) => Promise<void>) => {
    // The first few warm the server's code and the connection's statements.
    for (let i = 0; i < 20; i++) await write(i);
    const server0 = cpuMs([server.child.pid!]);
    const cluster0 = clusterCpuMs(postmaster);
    const started = performance.now();
    for (let i = 20; i < 20 + writes; i++) await write(i);
    const per = (total: number) => (total / writes).toFixed(2);
    rows.push(`| ${name} | ${per(performance.now() - started)} | ${per(cpuMs([server.child.pid!]) - server0)} | ${per(clusterCpuMs(postmaster) - cluster0)} |`);
  };
  await measure('ingestMessage (most onto a live ticket)', (i) =>
    call(botToken, `/ingest?phone=${phoneOf(1 + ((i * 7919) % dataset.size.contacts))}&sector=${dataset.agent.sectorIds[i % 3]}&body=x${i}`),
  );
  const waiting = [...pools.waiting];
  const accepted: number[] = [];
  await measure('acceptTicket', async () => {
    const id = waiting.shift()!;
    await call(agentToken, `/accept/${id}`);
    accepted.push(id);
  });
  const open = [...pools.open, ...accepted];
  await measure('closeTicket', () => call(agentToken, `/close/${open.shift()!}`));
  console.log(`\n1M dataset, ${writes} writes each, one at a time\n`);
  console.log('| write | wall ms | server CPU ms | cluster CPU ms |');
  console.log('|---|---|---|---|');
  for (const row of rows) console.log(row);
} finally {
  await stop(server.child);
  await cluster.psql('drop database if exists deskgraph_write_cost');
  await cluster.stop();
}

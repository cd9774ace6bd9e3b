import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from './dataset.js';
import { clusterCpuMs, cpuMs, deskgraphToken, freePort, graphqlTarget, idOf, load, post, secret, startProcess, startUntilHealthy, stop, type Target } from './http-kit.js';
import { deskgraphMixSide, phoneOf, READ_PAGE as PAGE, READ_TICKET as TICKET } from './http-writes.js';
import { mixPools, runMix, type MixResult, type MixSide } from './mix.js';
import { startPeer } from './peer/peer.js';

// npm run bench:pg-bare [-- --quick]: where a read's cost lies on PostgreSQL. Deskgraph, the store's
// floor (bench/bare-postgres-server.ts: the same Store reads behind bare node:http, no GraphQL) and the
// peer on the same cluster and data (the copy bench:http -- --engine postgres made), alternated in
// rounds of 5 s, the better of 2 kept; then the 90/10 mix of bench:http against Deskgraph and against the
// floor, each on its own scratch clone of the data, twice, alternated. Prints Markdown tables.

const quick = process.argv.includes('--quick');
const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const path = join(dataDir, quick ? 'bench-quick.sqlite' : 'bench-1m.sqlite');
if (!existsSync(`${path}.json`)) throw new Error(`No dataset at ${path}: run npm run bench:plans${quick ? ' -- --quick' : ''} first`);
const dataset = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Dataset;
const peer = await startPeer(path, dataset, () => {});
const copyName = 'deskgraph_bench';
const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${peer.cluster.port}/${database}`;
const env = { HOST: '127.0.0.1', JWT_SECRET: secret, NODE_ENV: 'production', LOG_LEVEL: 'warn', ACCOUNT_REQUESTS_PER_MINUTE: '0', ACCOUNT_INGESTS_PER_MINUTE: '0' };
type Server = { child: Awaited<ReturnType<typeof startProcess>>['child']; port: number };
async function startSide(side: 'deskgraph' | 'bare', database: string): Promise<Server> {
  if (side === 'bare') return startProcess(['bench/bare-postgres-server.ts'], { ...env, DATABASE_URL: urlOf(database) }, /listening on (\d+)/);
  const port = await freePort();
  const started = await startUntilHealthy(['bin/start.ts'], { ...env, DATABASE_URL: urlOf(database), PORT: String(port) }, `http://127.0.0.1:${port}/healthz`);
  return { child: started.child, port };
}
const deskgraph = await startSide('deskgraph', copyName);
const bare = await startSide('bare', copyName);
const port = deskgraph.port;

const loadAtStart = loadavg()[0]!;
try {
  const token = await deskgraphToken(dataset.agent.userId);
  const graphql = `http://127.0.0.1:${port}/graphql`;
  const first = await post(graphqlTarget(graphql, token, PAGE, { status: 'WAITING' }));
  const ticketGlobalId = first.data.tickets.edges[0].node.id as string;
  const bareOf = (route: string): Target => ({ url: `http://127.0.0.1:${bare.port}${route}`, headers: { authorization: `Bearer ${token}` } });
  const workloads: [string, Record<string, Target>][] = [
    ['WAITING page (50) + totalCount', { deskgraph: graphqlTarget(graphql, token, PAGE, { status: 'WAITING' }), bare: bareOf('/page/WAITING'), peer: peer.targets.page('WAITING') }],
    ['OPEN page (50) + totalCount', { deskgraph: graphqlTarget(graphql, token, PAGE, { status: 'OPEN' }), bare: bareOf('/page/OPEN'), peer: peer.targets.page('OPEN') }],
    ['ticket(id), 50 messages', { deskgraph: graphqlTarget(graphql, token, TICKET, { id: ticketGlobalId }), bare: bareOf(`/ticket/${idOf(ticketGlobalId)}`), peer: peer.targets.ticket(idOf(ticketGlobalId)) }],
    ['`{ __typename }` (the viewer read only)', { deskgraph: graphqlTarget(graphql, token, '{ __typename }'), bare: bareOf('/typename') }],
  ];
  const pids: Record<string, number> = { deskgraph: deskgraph.child.pid!, bare: bare.child.pid!, peer: peer.serverPid };
  const postmaster = Number(readFileSync(join(peer.cluster.dir, 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const seconds = 5;
  const cell = (figures: { rps: number; server: number; cluster: number } | undefined) =>
    figures ? `${figures.rps.toFixed(0)}, ${figures.server.toFixed(2)} + ${figures.cluster.toFixed(2)}` : '-';
  const rows: string[] = [];
  for (const [name, targets] of workloads) {
    const sides = Object.keys(targets);
    for (const side of sides) await load(targets[side]!, 1);
    const best: Record<string, { rps: number; server: number; cluster: number }> = {};
    for (let round = 0; round < 2; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const before = { server: cpuMs([pids[side]!]), cluster: clusterCpuMs(postmaster) };
        const measured = await load(targets[side]!, seconds);
        if (measured.errors > 0) throw new Error(`${side} answered ${name} with ${measured.errors} errors`);
        const requests = measured.rps * seconds;
        const figures = { rps: measured.rps, server: (cpuMs([pids[side]!]) - before.server) / requests, cluster: (clusterCpuMs(postmaster) - before.cluster) / requests };
        if (!best[side] || figures.rps > best[side].rps) best[side] = figures;
      }
    }
    const ratio = (side: string) => (best[side] && best['peer'] ? `${(best[side].rps / best['peer'].rps).toFixed(2)}` : '-');
    rows.push(`| ${name} | ${cell(best['deskgraph'])} | ${cell(best['bare'])} | ${cell(best['peer'])} | ${ratio('deskgraph')} | ${ratio('bare')} |`);
  }
  console.log(`\n${quick ? 'quick' : '1M'} dataset, 20 connections, load average ${loadAtStart.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)}\n`);
  console.log('| workload | Deskgraph req/s, CPU ms (server + cluster) | store floor (bare) | peer | Deskgraph / peer | bare / peer |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);

  await stop(bare.child);
  await stop(deskgraph.child);
  const mixes: string[] = [];
  const scratchName = 'deskgraph_bench_scratch';
  const pools = mixPools(path, dataset);
  const adminToken = await deskgraphToken(dataset.adminId);
  for (const side of ['deskgraph', 'bare', 'bare', 'deskgraph'] as const) {
    await peer.cluster.psql([`drop database if exists ${scratchName}`, `create database ${scratchName} template ${copyName}`]);
    const server = await startSide(side, scratchName);
    try {
      const mix = await runMix(await mixSideOf(side, server.port, adminToken, token, idOf(ticketGlobalId)), pools, dataset, 10);
      mixes.push(mixRow(side === 'bare' ? 'store floor (bare)' : 'Deskgraph', mix));
    } finally {
      await stop(server.child);
      await peer.cluster.psql(`drop database if exists ${scratchName}`);
    }
  }
  console.log('\n| 90/10 mix, 20 connections, 10 s, each on a fresh scratch clone | req/s | writes/s | p50 / p99 ms | errors |\n|---|---|---|---|---|');
  for (const row of mixes) console.log(row);
} finally {
  await stop(bare.child);
  await stop(deskgraph.child);
  await peer.stop();
}

function mixRow(name: string, mix: MixResult): string {
  return `| ${name} | ${mix.rps.toFixed(0)} | ${mix.writes.toFixed(0)} | ${mix.p50} / ${mix.p99} | ${mix.errors} |`;
}

/** The mix's requests for one side: the agent reads, accepts and closes; a bot (integration token) ingests. */
async function mixSideOf(side: 'deskgraph' | 'bare', port: number, adminToken: string, agentToken: string, ticketId: number): Promise<MixSide> {
  const base = `http://127.0.0.1:${port}`;
  if (side === 'bare') {
    const created = await fetch(`${base}/integration`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` } });
    const botToken = ((await created.json()) as { token: string }).token;
    const as = (bearer: string, route: string, method: 'GET' | 'POST' = 'GET'): Target => ({ url: `${base}${route}`, method, headers: { authorization: `Bearer ${bearer}` } });
    return {
      reads: [...['WAITING', 'OPEN', 'CLOSED'].map((status) => as(agentToken, `/page/${status}`)), as(agentToken, '/counts'), as(agentToken, `/ticket/${ticketId}`)],
      accept: (id) => as(agentToken, `/accept/${id}`, 'POST'),
      close: (id) => as(agentToken, `/close/${id}`, 'POST'),
      ingest: (contact, sectorId) => as(botToken, `/ingest?phone=${phoneOf(contact)}&sector=${sectorId}&body=${encodeURIComponent(`bench mix message to ${contact}`)}`, 'POST'),
      ok: (status) => status === 200,
    };
  }
  const graphql = `${base}/graphql`;
  const integration = await post(graphqlTarget(graphql, adminToken, 'mutation { createIntegration(name: "bench mix") { token } }'));
  return deskgraphMixSide(graphql, agentToken, integration.data.createIntegration.token as string, ticketId);
}

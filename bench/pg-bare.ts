import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from './dataset.js';
import { clusterCpuMs, cpuMs, deskgraphToken, freePort, graphqlTarget, idOf, load, post, secret, startProcess, startUntilHealthy, stop, type Target } from './http-kit.js';
import { startPeer } from './peer/peer.js';

// npm run bench:pg-bare [-- --quick]: where a read's cost lies on PostgreSQL. Deskgraph, the store's
// floor (bench/bare-postgres-server.ts: the same Store reads behind bare node:http, no GraphQL) and the
// peer on the same cluster and data (the copy bench:http -- --engine postgres made), alternated in
// rounds of 5 s, the better of 2 kept. Prints a Markdown table of req/s and CPU ms per request.

const quick = process.argv.includes('--quick');
const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const path = join(dataDir, quick ? 'bench-quick.sqlite' : 'bench-1m.sqlite');
if (!existsSync(`${path}.json`)) throw new Error(`No dataset at ${path}: run npm run bench:plans${quick ? ' -- --quick' : ''} first`);
const dataset = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Dataset;
const peer = await startPeer(path, dataset, () => {});
const url = `postgres://postgres@127.0.0.1:${peer.cluster.port}/deskgraph_bench`;
const env = { HOST: '127.0.0.1', JWT_SECRET: secret, NODE_ENV: 'production', LOG_LEVEL: 'warn', ACCOUNT_REQUESTS_PER_MINUTE: '0', ACCOUNT_INGESTS_PER_MINUTE: '0', DATABASE_URL: url };
const port = await freePort();
const deskgraph = await startUntilHealthy(['bin/start.ts'], { ...env, PORT: String(port) }, `http://127.0.0.1:${port}/healthz`);
const bare = await startProcess(['bench/bare-postgres-server.ts', url, String(dataset.agent.userId)], {}, /listening on (\d+)/);

const loadAtStart = loadavg()[0]!;
try {
  const token = await deskgraphToken(dataset.agent.userId);
  const graphql = `http://127.0.0.1:${port}/graphql`;
  const PAGE = `query($status: TicketStatus!) { tickets(status: $status, first: 50) { totalCount edges { node { id protocol status contact { name phone } sector { name } lastMessage { body } } } } }`;
  const TICKET = 'query($id: ID!) { ticket(id: $id) { id protocol status contact { name } messages(first: 50) { edges { node { body direction createdAt } } } } }';
  const first = await post(graphqlTarget(graphql, token, PAGE, { status: 'WAITING' }));
  const ticketGlobalId = first.data.tickets.edges[0].node.id as string;
  const bareOf = (route: string): Target => ({ url: `http://127.0.0.1:${bare.port}${route}` });
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
} finally {
  await stop(bare.child);
  await stop(deskgraph.child);
  await peer.stop();
}

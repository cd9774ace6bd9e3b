import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dataset } from './dataset.js';
import { builtServer, deskgraphToken, freePort, graphqlTarget, idOf, load, post, rssMb, secret, startProcess, startUntilHealthy, stop, type Measured, type Target } from './http-kit.js';
import { writeWorkloads } from './http-writes.js';
import { startPeer } from './peer/peer.js';

// npm run bench:http [-- --quick] [-- --no-peer] [-- --engine postgres]: Deskgraph over HTTP (JWT verified and the user
// loaded on every request) beside the bare limit (same SQL, node:http, no GraphQL, no auth) and the
// peer a user would pick instead (PostGraphile over PostgreSQL with RLS, bench/peer/), on the
// dataset `npm run bench:plans` builds; then the writing workloads on a scratch copy. Writes
// bench/data/http-*.md (the table) and bench/data/peer-plans-*.md (the peer's plans).

// --engine postgres: Deskgraph on PostgreSQL beside the peer and Deskgraph on SQLite, its own script.
const engineAt = process.argv.indexOf('--engine');
const engine = engineAt >= 0 ? process.argv[engineAt + 1] : 'sqlite';
if (engine !== 'sqlite' && engine !== 'postgres') throw new Error(`--engine must be sqlite (the default) or postgres, not ${engine}`);
if (engine === 'postgres') {
  await import('./http-postgres.js');
  process.exit(0);
}

const quick = process.argv.includes('--quick');
const withPeer = !process.argv.includes('--no-peer');
const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const path = join(dataDir, quick ? 'bench-quick.sqlite' : 'bench-1m.sqlite');
if (!existsSync(`${path}.json`)) throw new Error(`No dataset at ${path}: run npm run bench:plans${quick ? ' -- --quick' : ''} first`);
const dataset = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Dataset;
const duration = quick ? 3 : 10;
const warmup = 1;
const suffix = quick ? 'quick' : '1m';
// Ctrl-C still runs the exit hooks that stop the servers and the PostgreSQL cluster.
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

// Start-up: spawn -> the first 200 from /healthz, on the 1M file; the last start serves the reads.
// The per-account budgets are off: the benchmark is one account doing what a whole platform would.
// What `npm start` runs: the server built into one module.
const server = builtServer();
const env = { HOST: '127.0.0.1', JWT_SECRET: secret, NODE_ENV: 'production', LOG_LEVEL: 'warn', ACCOUNT_REQUESTS_PER_MINUTE: '0', ACCOUNT_INGESTS_PER_MINUTE: '0' };
const port = await freePort();
const startups: number[] = [];
let deskgraph: Awaited<ReturnType<typeof startUntilHealthy>> | undefined;
for (let i = 0; i < (quick ? 1 : 3); i++) {
  if (deskgraph) await stop(deskgraph.child);
  deskgraph = await startUntilHealthy(server, { ...env, DATABASE_URL: path, PORT: String(port) }, `http://127.0.0.1:${port}/healthz`);
  startups.push(deskgraph.ms);
}
startups.sort((a, b) => a - b);
const bare = await startProcess(['bench/bare-server.ts', path, String(dataset.agent.userId), dataset.agent.sectorIds.join(',')], {}, /BARE (\d+)/);
const peer = withPeer ? await startPeer(path, dataset, console.log) : null;
const graphql = `http://127.0.0.1:${port}/graphql`;
const bareUrl = `http://127.0.0.1:${bare.port}`;
const agentToken = await deskgraphToken(dataset.agent.userId);

const PAGE = `query($status: TicketStatus!) { tickets(status: $status, first: 50) { totalCount edges { node { id protocol status contact { name phone } sector { name } lastMessage { body } } } } }`;
const TICKET = 'query($id: ID!) { ticket(id: $id) { id protocol status contact { name } messages(first: 50) { edges { node { body direction createdAt } } } } }';
const page = (status: string) => graphqlTarget(graphql, agentToken, PAGE, { status });
const first = await post(page('WAITING'));
if (first.errors) throw new Error(JSON.stringify(first.errors));
const ticketGlobalId = first.data.tickets.edges[0].node.id as string;
const ticketId = idOf(ticketGlobalId);

interface Workload {
  name: string;
  deskgraph: Target;
  bare: Target;
  peer: Target | null;
  /** The part of an answer all three must agree on: ids in order, counts, messages. */
  same: { deskgraph(data: any): unknown; bare(data: any): unknown; peer(data: any): unknown };
}
const pageAnswer = {
  deskgraph: (data: any) => ({ total: data.tickets.totalCount, ids: data.tickets.edges.map((edge: any) => idOf(edge.node.id)) }),
  bare: (data: any) => ({ total: data.total, ids: data.tickets.map((row: any) => row.id) }),
  peer: (data: any) => ({ total: data.tickets.totalCount, ids: data.tickets.edges.map((edge: any) => edge.node.id) }),
};
const workloads: Workload[] = [
  ...['WAITING', 'OPEN', 'CLOSED'].map((status) => ({
    name: `${status} page (50) + contact, sector, last message, totalCount`,
    deskgraph: page(status),
    bare: { url: `${bareUrl}/page?status=${status}` },
    peer: peer?.targets.page(status) ?? null,
    same: pageAnswer,
  })),
  {
    name: 'ticketCounts',
    deskgraph: graphqlTarget(graphql, agentToken, '{ ticketCounts { waiting open closed } }'),
    bare: { url: `${bareUrl}/counts` },
    peer: peer?.targets.counts ?? null,
    same: {
      deskgraph: (data: any) => data.ticketCounts,
      bare: (data: any) => data,
      peer: (data: any) => ({ waiting: data.waiting.totalCount, open: data.open.totalCount, closed: data.closed.totalCount }),
    },
  },
  {
    name: 'ticket(id) with 50 messages',
    deskgraph: graphqlTarget(graphql, agentToken, TICKET, { id: ticketGlobalId }),
    bare: { url: `${bareUrl}/ticket?id=${ticketId}` },
    peer: peer?.targets.ticket(ticketId) ?? null,
    same: {
      deskgraph: (data: any) => ({ id: idOf(data.ticket.id), messages: data.ticket.messages.edges.map((edge: any) => edge.node.body) }),
      bare: (data: any) => ({ id: data.ticket.id, messages: data.messages.map((row: any) => row.body) }),
      peer: (data: any) => ({ id: data.ticket.id, messages: data.ticket.messages.edges.map((edge: any) => edge.node.body) }),
    },
  },
];

// The three must give the same answer before their speeds mean anything: fail loudly if not.
for (const workload of workloads) {
  const answers: Record<string, unknown> = {};
  for (const side of ['deskgraph', 'bare', 'peer'] as const) {
    const target = workload[side];
    if (!target) continue;
    const answer = await post(target);
    if (answer.errors) throw new Error(`${side} failed on ${workload.name}: ${JSON.stringify(answer.errors)}`);
    answers[side] = workload.same[side](side === 'bare' ? answer : answer.data);
  }
  const expected = JSON.stringify(answers['deskgraph']);
  for (const [side, answer] of Object.entries(answers)) {
    if (JSON.stringify(answer) !== expected) throw new Error(`NOT THE SAME ANSWER for ${workload.name}: ${side} ${JSON.stringify(answer).slice(0, 400)} vs deskgraph ${expected.slice(0, 400)}`);
  }
  console.log(`same answer from ${Object.keys(answers).join(', ')}: ${workload.name}`);
}
if (peer) writeFileSync(join(dataDir, `peer-plans-${suffix}.md`), await peer.plans(workloads.map((workload) => [workload.name, workload.peer!])));

const rows: string[] = [];
const cells = (measured: Measured | null) => (measured ? [measured.rps.toFixed(0), `${measured.p50} / ${measured.p99}`] : ['-', '-']);
const ratio = (a: Measured, b: Measured | null) => (b ? (a.rps / b.rps).toFixed(2) : '-');
// Rounds interleave the three servers, and each keeps its best round: on a machine shared with other
// work, a burst elsewhere then costs one round of one server, not the comparison.
const rounds = quick ? 1 : 2;
const best = (a: Measured | null, b: Measured | null) => (!a ? b : !b || a.rps >= b.rps ? a : b);
for (const workload of workloads) {
  const measure = async (target: Target | null) => {
    if (!target) return null;
    await load(target, warmup);
    return load(target, duration);
  };
  let ours: Measured | null = null;
  let limit: Measured | null = null;
  let theirs: Measured | null = null;
  for (let round = 0; round < rounds; round++) {
    ours = best(ours, await measure(workload.deskgraph));
    limit = best(limit, await measure(workload.bare));
    theirs = best(theirs, await measure(workload.peer));
  }
  ours = ours!;
  const errors = [ours, limit, theirs].map((measured) => (measured ? measured.errors : '-')).join(' / ');
  rows.push(`| ${workload.name} | ${cells(ours).join(' | ')} | ${cells(limit)[0]} | ${ratio(ours, limit)} | ${cells(theirs).join(' | ')} | ${ratio(ours, theirs)} | ${errors} |`);
  console.log(rows.at(-1));
}
const rss = { deskgraph: rssMb(deskgraph!.child.pid!), bare: rssMb(bare.child.pid!), peer: peer ? rssMb(peer.serverPid) : null };
const peerNote = peer ? `PostGraphile ${peer.version} on PostgreSQL ${peer.postgresVersion}, ${peer.loadedNow ? 'loaded in this run' : 'cluster reused (dataset unchanged)'}` : 'not run (--no-peer)';
await peer?.stop();
await stop(deskgraph!.child);
await stop(bare.child);

const writes = await writeWorkloads(path, dataset, env, duration, quick, ticketId);
const mixRow = (name: string, mix: typeof writes.deskgraph) => `| ${name} | ${mix.rps.toFixed(0)} | ${mix.writes.toFixed(0)} | ${mix.p50} / ${mix.p99} | ${mix.errors} |`;
const header = `| workload (agent in 3 sectors, ${duration} s, 20 connections${rounds > 1 ? `, best of ${rounds} interleaved rounds` : ''}) | Deskgraph req/s | p50 / p99 ms | bare req/s | Deskgraph / bare | peer req/s | peer p50 / p99 ms | Deskgraph / peer | errors (Deskgraph / bare / peer) |`;
const report = `${header}
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
| ${writes.race.racers} agents racing takeNextTicket (sequential per agent) | ${writes.race.takesPerSecond.toFixed(0)} takes/s | - | - | - | - | - | - | ${writes.race.twice} assigned twice |
| RSS after the read workloads (MB; peer: the PostGraphile process, PostgreSQL apart) | ${rss.deskgraph.toFixed(0)} | - | ${rss.bare.toFixed(0)} | - | ${rss.peer?.toFixed(0) ?? '-'} | - | - | - |
| Deskgraph start-up on this database, spawn -> /healthz 200 (ms, median of ${startups.length}) | ${startups[Math.floor(startups.length / 2)]!.toFixed(0)} | - | - | - | - | - | - | - |

Workload (5), 9 reads (the five above in turn) for 1 write (ingestMessage, acceptTicket, closeTicket in turn), on a scratch copy of the dataset:

| mix, 90% reads / 10% writes, ${duration} s, 20 connections | req/s | writes/s | p50 / p99 ms | errors |
|---|---|---|---|---|
${mixRow('Deskgraph', writes.deskgraph)}
${mixRow('bare (same statements, BEGIN IMMEDIATE per write)', writes.bare)}
| Deskgraph / bare | ${ratio(writes.deskgraph, writes.bare)} | - | - | - |

Peer: ${peerNote}.
`;
writeFileSync(join(dataDir, `http-${suffix}.md`), report);
console.log(`\n${report}`);

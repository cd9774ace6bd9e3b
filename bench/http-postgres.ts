import { loadavg } from 'node:os';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { copySqliteToPostgres } from '../db/postgres/copy-from-sqlite.js';
import type { Dataset } from './dataset.js';
import { builtServer, clusterCpuMs, cpuMs, deskgraphToken, freePort, graphqlTarget, idOf, load, post, rssMb, secret, startUntilHealthy, stop, type Measured, type Target } from './http-kit.js';
import { deskgraphWrites } from './http-writes.js';
import { mixPools, type MixResult } from './mix.js';
import { fingerprintOf } from './peer/load.js';
import { startPeer } from './peer/peer.js';
import { serverLog, type Cluster } from './peer/postgres.js';

// npm run bench:http -- --engine postgres [--quick]: Deskgraph on PostgreSQL beside the peer
// (PostGraphile) on the same cluster and data, and beside Deskgraph on SQLite, in one run. The
// SQLite dataset is copied by db:copy's own function into a database of the peer's cluster (kept
// while the dataset is unchanged); the writing workloads run on a scratch clone of it (CREATE
// DATABASE ... TEMPLATE) and on a scratch copy of the SQLite file. Writes bench/data/http-postgres-*.md
// (the table) and bench/data/deskgraph-pg-plans-*.md (auto_explain of one request per workload).

const quick = process.argv.includes('--quick');
const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const path = join(dataDir, quick ? 'bench-quick.sqlite' : 'bench-1m.sqlite');
if (!existsSync(`${path}.json`)) throw new Error(`No dataset at ${path}: run npm run bench:plans${quick ? ' -- --quick' : ''} first`);
const dataset = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Dataset;
const duration = quick ? 3 : 10;
// Each mix connection writes after 9 reads: short runs at a few dozen req/s would barely write.
const writeDuration = 10;
const warmup = 1;
const rounds = 2;
const suffix = quick ? 'quick' : '1m';
const loadAtStart = loadavg();
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

const peer = await startPeer(path, dataset, console.log);
const copyName = 'deskgraph_bench';
const scratchName = 'deskgraph_bench_scratch';
const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${peer.cluster.port}/${database}`;
const copied = await copiedDatabase(peer.cluster, path);

// Start-up, spawn -> the first 200 from /healthz: one unmeasured start each (a copy made by an older
// schema migrates then; the files are in the page cache for both), then 3 measured, the engines alternated.
// The per-account budgets are off: the benchmark is one account doing what a whole platform would.
// What `npm start` runs: the server built into one module.
const server = builtServer();
const env = { HOST: '127.0.0.1', JWT_SECRET: secret, NODE_ENV: 'production', LOG_LEVEL: 'warn', ACCOUNT_REQUESTS_PER_MINUTE: '0', ACCOUNT_INGESTS_PER_MINUTE: '0' };
const engines = { postgres: urlOf(copyName), sqlite: path } as const;
type Engine = keyof typeof engines;
const startups: Record<Engine, number[]> = { postgres: [], sqlite: [] };
const servers: Partial<Record<Engine, { child: Awaited<ReturnType<typeof startUntilHealthy>>['child']; port: number }>> = {};
for (let i = 0; i < 4; i++) {
  for (const engine of ['postgres', 'sqlite'] as const) {
    if (servers[engine]) await stop(servers[engine].child);
    const port = await freePort();
    const started = await startUntilHealthy(server, { ...env, DATABASE_URL: engines[engine], PORT: String(port) }, `http://127.0.0.1:${port}/healthz`);
    servers[engine] = { child: started.child, port };
    if (i > 0) startups[engine].push(started.ms);
  }
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const agentToken = await deskgraphToken(dataset.agent.userId);
const PAGE = `query($status: TicketStatus!) { tickets(status: $status, first: 50) { totalCount edges { node { id protocol status contact { name phone } sector { name } lastMessage { body } } } } }`;
const TICKET = 'query($id: ID!) { ticket(id: $id) { id protocol status contact { name } messages(first: 50) { edges { node { body direction createdAt } } } } }';
const graphqlOf = (engine: Engine) => `http://127.0.0.1:${servers[engine]!.port}/graphql`;
const first = await post(graphqlTarget(graphqlOf('sqlite'), agentToken, PAGE, { status: 'WAITING' }));
if (first.errors) throw new Error(JSON.stringify(first.errors));
const ticketGlobalId = first.data.tickets.edges[0].node.id as string;
const ticketId = idOf(ticketGlobalId);

type Side = Engine | 'peer';
const sides: Side[] = ['postgres', 'sqlite', 'peer'];
interface Workload {
  name: string;
  target: Record<Side, Target>;
  /** The part of an answer every side must agree on: ids in order, counts, messages. */
  same: { deskgraph(data: any): unknown; peer(data: any): unknown };
}
const deskgraphTargets = (query: string, variables: Record<string, unknown> = {}) => ({
  postgres: graphqlTarget(graphqlOf('postgres'), agentToken, query, variables),
  sqlite: graphqlTarget(graphqlOf('sqlite'), agentToken, query, variables),
});
const workloads: Workload[] = [
  ...['WAITING', 'OPEN', 'CLOSED'].map((status) => ({
    name: `${status} page (50) + contact, sector, last message, totalCount`,
    target: { ...deskgraphTargets(PAGE, { status }), peer: peer.targets.page(status) },
    same: {
      deskgraph: (data: any) => ({ total: data.tickets.totalCount, ids: data.tickets.edges.map((edge: any) => idOf(edge.node.id)) }),
      peer: (data: any) => ({ total: data.tickets.totalCount, ids: data.tickets.edges.map((edge: any) => edge.node.id) }),
    },
  })),
  {
    name: 'ticketCounts',
    target: { ...deskgraphTargets('{ ticketCounts { waiting open closed } }'), peer: peer.targets.counts },
    same: {
      deskgraph: (data: any) => data.ticketCounts,
      peer: (data: any) => ({ waiting: data.waiting.totalCount, open: data.open.totalCount, closed: data.closed.totalCount }),
    },
  },
  {
    name: 'ticket(id) with 50 messages',
    target: { ...deskgraphTargets(TICKET, { id: ticketGlobalId }), peer: peer.targets.ticket(ticketId) },
    same: {
      deskgraph: (data: any) => ({ id: idOf(data.ticket.id), messages: data.ticket.messages.edges.map((edge: any) => edge.node.body) }),
      peer: (data: any) => ({ id: data.ticket.id, messages: data.ticket.messages.edges.map((edge: any) => edge.node.body) }),
    },
  },
];

// The three must give the same answer before their speeds mean anything: stop loudly if not.
for (const workload of workloads) {
  const answers: Partial<Record<Side, string>> = {};
  for (const side of sides) {
    const answer = await post(workload.target[side]);
    if (answer.errors) throw new Error(`${side} failed on ${workload.name}: ${JSON.stringify(answer.errors)}`);
    answers[side] = JSON.stringify(side === 'peer' ? workload.same.peer(answer.data) : workload.same.deskgraph(answer.data));
  }
  for (const side of sides) {
    if (answers[side] !== answers.sqlite) throw new Error(`NOT THE SAME ANSWER for ${workload.name}: ${side} ${answers[side]!.slice(0, 400)} vs sqlite ${answers.sqlite!.slice(0, 400)}`);
  }
  console.log(`same answer from ${sides.join(', ')}: ${workload.name}`);
}
writeFileSync(join(dataDir, `deskgraph-pg-plans-${suffix}.md`), await deskgraphPlans(peer.cluster, workloads.map((workload) => [workload.name, workload.target.postgres])));

// Rounds interleave the three servers and each keeps its best round: on a machine shared with other
// work, a burst elsewhere then costs one round of one server, not the comparison.
// CPU per request (the server process, and every process of the cluster) reads through the machine's
// load, which throughput on a shared 2-core machine does not: it says where each request's work goes.
const postmasterPid = Number(readFileSync(join(peer.cluster.dir, 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);
const serverPidOf: Record<Side, number> = { postgres: servers.postgres!.child.pid!, sqlite: servers.sqlite!.child.pid!, peer: peer.serverPid };
type Costed = Measured & { serverCpu: number; postgresCpu: number };
const best = (a: Costed | undefined, b: Costed) => (!a || b.rps > a.rps ? b : a);
const cells = (measured: Costed) => [measured.rps.toFixed(0), `${measured.p50} / ${measured.p99}`, `${measured.serverCpu.toFixed(2)} + ${measured.postgresCpu.toFixed(2)}`];
async function costed(side: Side, target: Target): Promise<Costed> {
  const before = { server: cpuMs([serverPidOf[side]]), postgres: clusterCpuMs(postmasterPid) };
  const measured = await load(target, duration);
  const requests = Math.max(1, measured.rps * duration);
  return { ...measured, serverCpu: (cpuMs([serverPidOf[side]]) - before.server) / requests, postgresCpu: (clusterCpuMs(postmasterPid) - before.postgres) / requests };
}
const ratio = (a: { rps: number }, b: { rps: number }) => (a.rps / b.rps).toFixed(2);
const rows: string[] = [];
for (const workload of workloads) {
  const kept: Partial<Record<Side, Costed>> = {};
  for (let round = 0; round < rounds; round++) {
    for (const side of sides) {
      await load(workload.target[side], warmup);
      kept[side] = best(kept[side], await costed(side, workload.target[side]));
    }
  }
  const { postgres, sqlite, peer: theirs } = kept as Record<Side, Costed>;
  rows.push(
    `| ${workload.name} | ${cells(postgres).join(' | ')} | ${cells(sqlite).join(' | ')} | ${cells(theirs).join(' | ')} | ${ratio(postgres, theirs)} | ${ratio(postgres, sqlite)} | ${postgres.errors} / ${sqlite.errors} / ${theirs.errors} |`,
  );
  console.log(rows.at(-1));
}
const rss = { postgres: rssMb(servers.postgres!.child.pid!), sqlite: rssMb(servers.sqlite!.child.pid!), peer: rssMb(peer.serverPid) };
for (const server of Object.values(servers)) await stop(server.child);

// The writing workloads, PostgreSQL first, each on a scratch clone of the data it was measured on.
const pools = mixPools(path, dataset);
await peer.cluster.psql([`drop database if exists ${scratchName}`, `create database ${scratchName} template ${copyName}`]);
const writes: Partial<Record<Engine, { race: { takesPerSecond: number; racers: number; takes: number; twice: number; errors: number }; mix: MixResult }>> = {};
try {
  writes.postgres = await deskgraphWrites(urlOf(scratchName), pools, dataset, env, writeDuration, quick, ticketId);
} finally {
  await peer.cluster.psql(`drop database if exists ${scratchName}`);
}
const sqliteScratch = path.replace(/\.sqlite$/, '.scratch.sqlite');
{
  // Everything committed is in the main file once the WAL is checkpointed; then a plain copy is whole.
  const db = new BetterSqlite3(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  copyFileSync(path, sqliteScratch);
  try {
    writes.sqlite = await deskgraphWrites(sqliteScratch, pools, dataset, env, writeDuration, quick, ticketId);
  } finally {
    for (const end of ['', '-wal', '-shm']) rmSync(`${sqliteScratch}${end}`, { force: true });
  }
}
const postgresVersion = peer.postgresVersion;
const peerVersion = peer.version;
await peer.stop();
const loadAtEnd = loadavg();

const { postgres: pgWrites, sqlite: sqliteWrites } = writes as Required<typeof writes>;
const mixRow = (name: string, mix: MixResult) => `| ${name} | ${mix.rps.toFixed(0)} | ${mix.writes.toFixed(0)} | ${mix.p50} / ${mix.p99} | ${mix.errors} |`;
const raceCell = (race: typeof pgWrites.race) => `${race.takesPerSecond.toFixed(0)} takes/s (${race.takes} takes, ${race.twice} twice, ${race.errors} errors)`;
const load1 = (values: number[]) => values.map((value) => value.toFixed(1)).join(' / ');
const report = `| workload (agent in 3 sectors, ${duration} s, 20 connections, best of ${rounds} interleaved rounds) | Deskgraph on PostgreSQL req/s | p50 / p99 ms | CPU ms per request (server + cluster) | Deskgraph on SQLite req/s | p50 / p99 ms | CPU ms per request (server + cluster) | peer req/s | p50 / p99 ms | CPU ms per request (server + cluster) | PostgreSQL / peer | PostgreSQL / SQLite | errors (PostgreSQL / SQLite / peer) |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
| RSS after the read workloads (MB; peer: the PostGraphile process, PostgreSQL apart) | ${rss.postgres.toFixed(0)} | - | - | ${rss.sqlite.toFixed(0)} | - | - | ${rss.peer.toFixed(0)} | - | - | - | - | - |
| start-up, spawn -> /healthz 200 (ms, median of ${startups.postgres.length}; all: PostgreSQL ${startups.postgres.map((ms) => ms.toFixed(0)).join(', ')}; SQLite ${startups.sqlite.map((ms) => ms.toFixed(0)).join(', ')}) | ${median(startups.postgres).toFixed(0)} | - | - | ${median(startups.sqlite).toFixed(0)} | - | - | - | - | - | - | - | - |

| writing workload (scratch copy of the data) | Deskgraph on PostgreSQL | Deskgraph on SQLite |
|---|---|---|
| ${pgWrites.race.racers} agents racing takeNextTicket (sequential per agent) | ${raceCell(pgWrites.race)} | ${raceCell(sqliteWrites.race)} |

| mix, 90% reads / 10% writes, ${writeDuration} s, 20 connections | req/s | writes/s | p50 / p99 ms | errors |
|---|---|---|---|---|
${mixRow('Deskgraph on PostgreSQL', pgWrites.mix)}
${mixRow('Deskgraph on SQLite', sqliteWrites.mix)}

Dataset: ${dataset.size.tickets} tickets, ${dataset.size.contacts} contacts, ${dataset.size.agents} agents (${path.split('/').pop()}); PostgreSQL copy ${copied.copiedNow ? `made in this run (db:copy ${(copied.ms / 1000).toFixed(1)} s, then VACUUM ANALYZE)` : 'reused (dataset unchanged)'}.
Peer: PostGraphile ${peerVersion}, ${peer.loadedNow ? 'loaded in this run' : 'cluster reused'}; both on PostgreSQL ${postgresVersion}, one cluster (bench/peer/postgres.ts settings).
Load average (1 / 5 / 15 min) at start ${load1(loadAtStart)}, at end ${load1(loadAtEnd)}.
`;
writeFileSync(join(dataDir, `http-postgres-${suffix}.md`), report);
console.log(`\n${report}`);

/**
 * Deskgraph's database on the peer's cluster: the dataset copied by db:copy's function and vacuumed
 * (as the peer's load is), reused while the dataset's fingerprint (kept as the database's comment) is unchanged.
 */
async function copiedDatabase(cluster: Cluster, sqlitePath: string): Promise<{ copiedNow: boolean; ms: number }> {
  const fingerprint = fingerprintOf(sqlitePath);
  const comment = (await cluster.psql(`select shobj_description(oid, 'pg_database') from pg_database where datname = '${copyName}'`)).trim();
  if (comment === fingerprint) {
    console.log(`reusing the PostgreSQL copy ${copyName}`);
    return { copiedNow: false, ms: 0 };
  }
  console.log(`copying ${sqlitePath} into ${copyName} (db:copy)`);
  await cluster.psql([`drop database if exists ${copyName}`, `create database ${copyName}`]);
  const summary = await copySqliteToPostgres({ from: sqlitePath, to: urlOf(copyName), progress: (message) => console.log(`  ${message}`) });
  await cluster.psql('vacuum (analyze)', { database: copyName });
  await cluster.psql(`comment on database ${copyName} is '${fingerprint}'`);
  return { copiedNow: true, ms: summary.ms };
}

/** auto_explain (ANALYZE) of every statement Deskgraph on PostgreSQL ran for one request of each workload. */
async function deskgraphPlans(cluster: Cluster, named: [string, Target][]): Promise<string> {
  await cluster.psql(['alter system set auto_explain.log_analyze = on', 'alter system set auto_explain.log_min_duration = 0', 'select pg_reload_conf()']);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sections: string[] = [];
  try {
    for (const [name, target] of named) {
      const start = serverLog(cluster).length;
      await post(target);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const entries = serverLog(cluster)
        .slice(start)
        .split(/\n(?=\d{4}-\d\d-\d\d )/)
        .filter((entry) => /duration: [\d.]+ ms\s+plan:/.test(entry));
      sections.push(`## ${name}\n\n${entries.map((entry) => `\`\`\`\n${entry.trim()}\n\`\`\``).join('\n')}`);
    }
  } finally {
    await cluster.psql(['alter system reset all', 'select pg_reload_conf()']);
  }
  return sections.join('\n\n');
}


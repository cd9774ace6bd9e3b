import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clusterCpuMs, cpuMs, deskgraphToken, freePort, graphqlTarget, load, post, root, secret, stop } from './http-kit.js';
import { startCluster } from './peer/postgres.js';

// npm run bench:pg-ab -- <folder with another checkout> [--1m]: that checkout's server and this one's on the same
// PostgreSQL database (the quick dataset's copy that `bench:http -- --engine postgres --quick` made, or with
// --1m the 1M dataset's that `bench:http -- --engine postgres` made), the
// read workloads in alternated rounds. CPU ms per request (server + cluster), the median of 4 rounds of
// 3 s each, so a burst of the machine's other work lands on both sides alike. The other checkout needs
// node_modules (a symlink to this one's will do). Prints a Markdown table.

const other = process.argv[2];
if (!other || !existsSync(join(other, 'bin/start.ts'))) throw new Error('usage: npm run bench:pg-ab -- <folder of another checkout>');
const full = process.argv.includes('--1m');
const clusterDir = fileURLToPath(new URL(full ? './data/pg/bench-1m' : './data/pg/bench-quick', import.meta.url));
if (!existsSync(join(clusterDir, 'cluster'))) throw new Error(`No cluster in ${clusterDir}: run npm run bench:http -- --engine postgres${full ? '' : ' --quick'} first`);

const cluster = await startCluster(clusterDir, () => {});
const env = {
  HOST: '127.0.0.1',
  JWT_SECRET: secret,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  ACCOUNT_REQUESTS_PER_MINUTE: '0',
  ACCOUNT_INGESTS_PER_MINUTE: '0',
  DATABASE_URL: `postgres://postgres@127.0.0.1:${cluster.port}/deskgraph_bench`,
};
const children: ChildProcess[] = [];

async function startServer(cwd: string): Promise<{ pid: number; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], { cwd, env: { ...process.env, ...env, PORT: String(port) }, stdio: 'ignore' });
  children.push(child);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server in ${cwd} exited`);
    const up = await fetch(`http://127.0.0.1:${port}/healthz`).then((response) => response.ok, () => false);
    if (up) return { pid: child.pid!, url: `http://127.0.0.1:${port}/graphql` };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const postmaster = Number(readFileSync(join(clusterDir, 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
};

try {
  const sides = { other: await startServer(other), this: await startServer(root) };
  const token = await deskgraphToken(2);
  const PAGE = 'query($status: TicketStatus!) { tickets(status: $status, first: 50) { totalCount edges { node { id protocol status contact { name phone } sector { name } lastMessage { body } } } } }';
  const TICKET = 'query($id: ID!) { ticket(id: $id) { id protocol status contact { name } messages(first: 50) { edges { node { body direction createdAt } } } } }';
  // What an agent console shows on a tab row: the assignee, channel and tags come through the loaders.
  const CONSOLE_PAGE = `query($status: TicketStatus!) { tickets(status: $status, first: 50) { totalCount edges { node {
    id protocol status contact { name phone tags } sector { name color } assignee { name } channel { name } lastMessage { body author } tags } } } }`;
  const first = await post(graphqlTarget(sides.this.url, token, PAGE, { status: 'WAITING' }));
  const workloads: [string, string, Record<string, unknown>][] = [
    ['WAITING page (50)', PAGE, { status: 'WAITING' }],
    ['OPEN page (50)', PAGE, { status: 'OPEN' }],
    ['CLOSED page (50)', PAGE, { status: 'CLOSED' }],
    ['ticketCounts', '{ ticketCounts { waiting open closed } }', {}],
    ['ticket(id), 50 messages', TICKET, { id: first.data.tickets.edges[0].node.id }],
    ['OPEN page (50) as a console asks it', CONSOLE_PAGE, { status: 'OPEN' }],
  ];
  const loadAtStart = loadavg();
  console.log(`| workload | ${other}: CPU ms (server + cluster) | this checkout |\n|---|---|---|`);
  for (const [name, query, variables] of workloads) {
    const answers = await Promise.all([sides.other, sides.this].map((side) => post(graphqlTarget(side.url, token, query, variables))));
    if (JSON.stringify(answers[0]) !== JSON.stringify(answers[1])) throw new Error(`the two answer ${name} differently`);
    const figures = { other: { server: [] as number[], cluster: [] as number[] }, this: { server: [] as number[], cluster: [] as number[] } };
    for (const side of ['other', 'this'] as const) await load(graphqlTarget(sides[side].url, token, query, variables), 1);
    for (let round = 0; round < 4; round++) {
      for (const side of round % 2 ? (['this', 'other'] as const) : (['other', 'this'] as const)) {
        const before = { server: cpuMs([sides[side].pid]), cluster: clusterCpuMs(postmaster) };
        const measured = await load(graphqlTarget(sides[side].url, token, query, variables), 3);
        const requests = Math.max(1, measured.rps * 3);
        figures[side].server.push((cpuMs([sides[side].pid]) - before.server) / requests);
        figures[side].cluster.push((clusterCpuMs(postmaster) - before.cluster) / requests);
      }
    }
    const cell = (side: 'other' | 'this') => {
      const [server, postgres] = [median(figures[side].server), median(figures[side].cluster)];
      return `${server.toFixed(2)} + ${postgres.toFixed(2)} = ${(server + postgres).toFixed(2)}`;
    };
    console.log(`| ${name} | ${cell('other')} | ${cell('this')} |`);
  }
  const shown = (load: number[]) => load.map((value) => value.toFixed(1)).join(' / ');
  console.log(`\nLoad average (1 / 5 / 15 min) at start ${shown(loadAtStart)}, at end ${shown(loadavg())}.`);
} finally {
  for (const child of children) await stop(child);
  cluster.stop();
}

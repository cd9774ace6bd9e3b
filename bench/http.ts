import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import type { Dataset } from './dataset.js';

// npm run bench:http [-- --quick]: Deskgraph over HTTP (JWT verified and the user loaded on every
// request) beside the bare limit (same SQL, node:http, no GraphQL, no auth), on the dataset that
// `npm run bench:plans` builds. Writes bench/data/http-*.md.

const quick = process.argv.includes('--quick');
const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const path = join(dataDir, quick ? 'bench-quick.sqlite' : 'bench-1m.sqlite');
if (!existsSync(`${path}.json`)) throw new Error(`No dataset at ${path}: run npm run bench:plans${quick ? ' -- --quick' : ''} first`);
const dataset = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Dataset;
const duration = quick ? 3 : 10;
const secret = 'bench-secret-long-enough-for-hs256-0123456789';
const root = fileURLToPath(new URL('..', import.meta.url));

function start(args: string[], env: Record<string, string>, ready: RegExp): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => {
    let output = '';
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      const match = ready.exec(output);
      if (match) resolve({ child, port: Number(match[1]) });
    });
  });
}

const sub = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const token = (userId: number) => new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub('User', userId)).setExpirationTime('2h').sign(new TextEncoder().encode(secret));

const deskgraph = await start(['bin/start.ts'], { PORT: '0', HOST: '127.0.0.1', DATABASE_URL: path, JWT_SECRET: secret, NODE_ENV: 'production', LOG_LEVEL: 'info' }, /"url":"http:\/\/127\.0\.0\.1:(\d+)/);
const bare = await start(['bench/bare-server.ts', path, String(dataset.agent.userId), dataset.agent.sectorIds.join(',')], {}, /BARE (\d+)/);
const graphql = `http://127.0.0.1:${deskgraph.port}/graphql`;
const bareUrl = `http://127.0.0.1:${bare.port}`;
const agentToken = await token(dataset.agent.userId);

async function gql(query: string, variables: Record<string, unknown> = {}, bearer = agentToken) {
  const response = await fetch(graphql, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data: any; errors?: unknown[] };
}

interface Measured { rps: number; p50: number; p99: number; errors: number; non2xx: number }
async function load(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}, connections = 20): Promise<Measured> {
  const result = await autocannon({ url, connections, duration, method: (init.method ?? 'GET') as 'GET', ...(init.body ? { body: init.body } : {}), headers: init.headers ?? {} });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors, non2xx: result.non2xx };
}
const post = (query: string, variables: Record<string, unknown> = {}) => ({
  method: 'POST',
  body: JSON.stringify({ query, variables }),
  headers: { 'content-type': 'application/json', authorization: `Bearer ${agentToken}` },
});

const PAGE = `query($status: TicketStatus!) { tickets(status: $status, first: 50) { totalCount edges { node { id protocol status contact { name phone } sector { name } lastMessage { body } } } } }`;
const first = await gql(PAGE, { status: 'WAITING' });
if (first.errors) throw new Error(JSON.stringify(first.errors));
const ticketId = first.data.tickets.edges[0].node.id as string;
const ticketNumber = Number(Buffer.from(ticketId, 'base64').toString().split(':')[1]);

const rows: string[] = [];
async function compare(name: string, ours: Measured, limit: Measured | null) {
  const ratio = limit ? (ours.rps / limit.rps).toFixed(2) : '-';
  rows.push(`| ${name} | ${ours.rps.toFixed(0)} | ${ours.p50} / ${ours.p99} | ${limit ? limit.rps.toFixed(0) : '-'} | ${ratio} | ${ours.errors + ours.non2xx} |`);
  console.log(rows.at(-1));
}
for (const status of ['WAITING', 'OPEN', 'CLOSED']) {
  await compare(`${status} page (50) + contact, sector, last message, totalCount`, await load(graphql, post(PAGE, { status })), await load(`${bareUrl}/page?status=${status}`));
}
await compare('ticketCounts', await load(graphql, post('{ ticketCounts { waiting open closed } }')), await load(`${bareUrl}/counts`));
await compare('ticket(id) with 50 messages', await load(graphql, post('query($id: ID!) { ticket(id: $id) { id protocol status contact { name } messages(first: 50) { edges { node { body direction createdAt } } } } }', { id: ticketId })), await load(`${bareUrl}/ticket?id=${ticketNumber}`));

// 20 agents of one sector racing takeNextTicket: every take is a distinct ticket.
const racers = (await gql('{ sectors { id agents { id } } }', {}, await token(dataset.adminId))).data.sectors.find((s: { id: string }) => s.id === sub('Sector', dataset.agent.sectorIds[0]!)).agents.slice(0, 20);
const racerTokens = await Promise.all(racers.map((racer: { id: string }) => token(Number(Buffer.from(racer.id, 'base64').toString().split(':')[1]))));
const taken: string[] = [];
const raceStarted = performance.now();
await Promise.all(
  racerTokens.map(async (racerToken) => {
    for (let i = 0; i < (quick ? 5 : 20); i++) {
      const result = await gql('mutation { takeNextTicket { id } }', {}, racerToken);
      if (result.data?.takeNextTicket) taken.push(result.data.takeNextTicket.id);
    }
  }),
);
const raceSeconds = (performance.now() - raceStarted) / 1000;
rows.push(`| ${racers.length} agents racing takeNextTicket (sequential per agent) | ${(taken.length / raceSeconds).toFixed(0)} takes/s | - | - | - | ${taken.length - new Set(taken).size} assigned twice |`);
console.log(rows.at(-1));

const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${deskgraph.child.pid}/status`, 'utf8'))![1]) / 1024;
const report = `| workload (agent in 3 sectors, ${duration} s, 20 connections) | Deskgraph req/s | p50 / p99 ms | bare req/s | Deskgraph / bare | errors |\n|---|---|---|---|---|---|\n${rows.join('\n')}\n\nServer RSS after the run: ${rss.toFixed(0)} MB.\n`;
writeFileSync(join(dataDir, quick ? 'http-quick.md' : 'http-1m.md'), report);
console.log(`\n${report}`);
deskgraph.child.kill('SIGINT');
bare.child.kill('SIGINT');

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { copySqliteToPostgres } from '../db/postgres/copy-from-sqlite.js';
import { startThrowawayCluster } from '../test/helpers/postgres-cluster.js';
import { adminQuery, databaseUrl } from '../test/helpers/engine.js';
import { generateDataset } from './dataset.js';
import { deskgraphToken, freePort, secret, startProcess, stop, sub } from './http-kit.js';

// npm run bench:live: 1,000 agent consoles (one socket each) subscribed to their WAITING tab across
// 50 sectors; tickets arrive one by one; every entitled subscriber's delivery latency is measured
// from the ingest request until the event arrives, and the server's RSS per subscriber is read.
// npm run bench:live -- --instances 2: the same with 5,000 consoles spread over two servers on one
// PostgreSQL database (a throwaway cluster) and one redis-server (REDIS_URL), ingests through both.

const flag = process.argv.indexOf('--instances');
const instances = flag >= 0 ? Number(process.argv[flag + 1]) : 1;
if (!Number.isInteger(instances) || instances < 1) throw new Error('--instances: a whole number of servers, 1 or more');
const subscribers = Number(process.env['SUBSCRIBERS'] ?? (instances > 1 ? 5000 : 1000));
const ingests = Number(process.env['INGESTS'] ?? 100);
const sectors = 50;
const dir = fileURLToPath(new URL('./data/live', import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const path = join(dir, 'live.sqlite');
const dataset = await generateDataset(path, { tickets: 1000, contacts: 1000, sectors, agents: subscribers, messagesPerTicket: 1 }, 'no-login');

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const cleanups: (() => Promise<void> | void)[] = [];

/** One redis-server of our own on a free loopback port, nothing saved to disk. */
async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}:\n${output}`)));
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
  });
  return { url: `redis://127.0.0.1:${port}`, child };
}

// One instance: the SQLite file. Several: the same data copied into PostgreSQL, and Redis between them.
let environment: Record<string, string> = { DATABASE_URL: path };
if (instances > 1) {
  const cluster = await startThrowawayCluster();
  cleanups.push(() => cluster.stop());
  await adminQuery(cluster.adminUrl, 'CREATE DATABASE deskgraph_live');
  const url = databaseUrl(cluster.adminUrl, 'deskgraph_live');
  await copySqliteToPostgres({ from: path, to: url });
  const redis = await startRedis();
  cleanups.push(() => void redis.child.kill('SIGINT'));
  environment = { DATABASE_URL: url, REDIS_URL: redis.url };
}

const servers: { url: string; pid: number; rssBefore: number; rssAfter: number }[] = [];
for (let i = 0; i < instances; i++) {
  // The per-account budgets are off: the benchmark is one account doing what a whole platform would.
  const env = { ...environment, PORT: '0', HOST: '127.0.0.1', JWT_SECRET: secret, LOG_LEVEL: 'info', NODE_ENV: 'production', ACCOUNT_REQUESTS_PER_MINUTE: '0', ACCOUNT_INGESTS_PER_MINUTE: '0' };
  const started = await startProcess(['bin/start.ts'], env, /"url":"http:\/\/[^"]+:(\d+)/);
  cleanups.unshift(() => stop(started.child));
  servers.push({ url: `http://127.0.0.1:${started.port}/graphql`, pid: started.child.pid!, rssBefore: 0, rssAfter: 0 });
}
await new Promise((resolve) => setTimeout(resolve, 500));
for (const server of servers) server.rssBefore = rssOf(server.pid);

// Agent user ids are 2..subscribers+1 (1 is the ADMIN) in the generated dataset; agent i is on instance i % n.
const arrivals = new Map<string, number[]>();
const clients: Client[] = [];
let ready = 0;
for (let i = 0; i < subscribers; i++) {
  const server = servers[i % instances]!;
  const client = createClient({
    url: server.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { token: await deskgraphToken(dataset.adminId + 1 + i) },
    retryAttempts: 0,
  });
  clients.push(client);
  client.subscribe<{ ticketEvents: { kind: string; ticketId: string } }>(
    { query: 'subscription { ticketEvents(status: WAITING) { kind ticketId } }' },
    {
      next: (result) => {
        const event = result.data?.ticketEvents;
        if (event?.kind === 'ADDED') arrivals.set(event.ticketId, [...(arrivals.get(event.ticketId) ?? []), performance.now()]);
      },
      error: (error) => console.error('subscription error', error),
      complete: () => {},
    },
  );
  client.on('connected', () => ready++);
}
while (ready < subscribers) await new Promise((resolve) => setTimeout(resolve, 50));
await new Promise((resolve) => setTimeout(resolve, 1000));
for (const server of servers) server.rssAfter = rssOf(server.pid);

// Ingest i goes through instance i % n, into sector i % 50 + 1.
const loadAtStart = loadavg()[0]!;
const adminToken = await deskgraphToken(dataset.adminId);
const latencies: number[] = [];
const answers: number[] = [];
for (let i = 0; i < ingests; i++) {
  const sectorId = (i % sectors) + 1;
  const started = performance.now();
  const response = await fetch(servers[i % instances]!.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({
      query: 'mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id } }',
      variables: { input: { contact: { phone: `5599${String(i).padStart(8, '0')}` }, body: 'bench', sectorId: sub('Sector', sectorId) } },
    }),
  });
  const { data } = (await response.json()) as { data: { ingestMessage: { id: string } } };
  answers.push(performance.now() - started);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const times = arrivals.get(data.ingestMessage.id) ?? [];
  latencies.push(...times.map((arrived) => arrived - started));
}
await new Promise((resolve) => setTimeout(resolve, 1000));
// Who was entitled: the agents of each ticket's sector, read from the file (each is one subscriber).
const db = new (await import('better-sqlite3')).default(path, { readonly: true });
const members = new Map((db.prepare('SELECT sector_id, count(*) AS n FROM user_sectors GROUP BY sector_id').all() as { sector_id: number; n: number }[]).map((row) => [row.sector_id, row.n]));
db.close();
let entitled = 0;
for (let i = 0; i < ingests; i++) entitled += members.get((i % sectors) + 1) ?? 0;
const delivered = [...arrivals.values()].reduce((sum, times) => sum + times.length, 0);
latencies.sort((a, b) => a - b);
answers.sort((a, b) => a - b);
const quantile = (values: number[], q: number) => (values.length === 0 ? 'n/a' : values[Math.min(values.length - 1, Math.floor(q * values.length))]!.toFixed(1));
const at = (q: number) => quantile(latencies, q);
const within100 = latencies.filter((latency) => latency <= 100).length;
const where = instances > 1 ? `, spread over ${instances} instances on one PostgreSQL database and one Redis` : '';
console.log(`subscribers: ${subscribers} (one socket each${where}), ingests: ${ingests}, entitled deliveries: ${entitled}, delivered: ${delivered} (${within100} within 100 ms of their ingest)`);
console.log(`delivery latency from ingest request: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
console.log(`ingest request answered (for comparison): p50 ${quantile(answers, 0.5)} ms, p99 ${quantile(answers, 0.99)} ms, max ${quantile(answers, 1)} ms`);
console.log(`machine load average (1 min) during the ingests: ${loadAtStart.toFixed(1)} -> ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores`);
const recovered = await Promise.all(
  servers.map(async (server) => /^deskgraph_live_commits_recovered_total (\d+)$/m.exec(await (await fetch(server.url.replace('/graphql', '/metrics'))).text())?.[1] ?? 'n/a'),
);
console.log(`commits read from the outbox because no message brought them in time: ${recovered.join(' / ')}`);
servers.forEach((server, index) => {
  const perSubscriber = (server.rssAfter - server.rssBefore) / Math.ceil((subscribers - index) / instances) / 1024;
  console.log(`server ${instances > 1 ? `${index + 1} ` : ''}RSS: ${(server.rssBefore / 2 ** 20).toFixed(0)} MB idle -> ${(server.rssAfter / 2 ** 20).toFixed(0)} MB with subscribers = ${perSubscriber.toFixed(1)} KB per subscriber`);
});
await Promise.all(clients.map((client) => client.dispose()));
for (const cleanup of cleanups) await cleanup();

import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { generateDataset } from './dataset.js';

// npm run bench:live: 1,000 agent consoles (one socket each) subscribed to their WAITING tab across
// 50 sectors; tickets arrive one by one; every entitled subscriber's delivery latency is measured
// from the ingest request until the event arrives, and the server's RSS per subscriber is read.

const subscribers = Number(process.env['SUBSCRIBERS'] ?? 1000);
const ingests = Number(process.env['INGESTS'] ?? 100);
const secret = 'bench-secret-long-enough-for-hs256-0123456789';
const dir = fileURLToPath(new URL('./data/live', import.meta.url));
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const path = join(dir, 'live.sqlite');
const dataset = await generateDataset(path, { tickets: 1000, contacts: 1000, sectors: 50, agents: subscribers, messagesPerTicket: 1 }, 'no-login');

const rssOf = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
const sub = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const token = (userId: number) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(sub('User', userId)).setExpirationTime('2h').sign(new TextEncoder().encode(secret));

const server = spawn(process.execPath, ['--import', 'tsx', 'bin/start.ts'], {
  cwd: fileURLToPath(new URL('..', import.meta.url)),
  env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: path, JWT_SECRET: secret, LOG_LEVEL: 'info', NODE_ENV: 'production', ACCOUNT_REQUESTS_PER_MINUTE: '0', ACCOUNT_INGESTS_PER_MINUTE: '0' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) => {
  let output = '';
  server.stdout!.on('data', (chunk) => {
    output += chunk;
    const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
    if (match) resolve(match[1]!);
  });
});
const wsUrl = url.replace(/^http/, 'ws');
await new Promise((resolve) => setTimeout(resolve, 500));
const rssBefore = rssOf(server.pid!);

// Agent user ids are 2..subscribers+1 (1 is the ADMIN) in the generated dataset.
const arrivals = new Map<string, number[]>();
const clients: Client[] = [];
let ready = 0;
for (let i = 0; i < subscribers; i++) {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { token: await token(dataset.adminId + 1 + i) }, retryAttempts: 0 });
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
const rssAfter = rssOf(server.pid!);

const adminToken = await token(dataset.adminId);
const latencies: number[] = [];
for (let i = 0; i < ingests; i++) {
  const sectorId = (i % 50) + 1;
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({
      query: 'mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id } }',
      variables: { input: { contact: { phone: `5599${String(i).padStart(8, '0')}` }, body: 'bench', sectorId: sub('Sector', sectorId) } },
    }),
  });
  const { data } = (await response.json()) as { data: { ingestMessage: { id: string } } };
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
for (let i = 0; i < ingests; i++) entitled += members.get((i % 50) + 1) ?? 0;
const delivered = [...arrivals.values()].reduce((sum, times) => sum + times.length, 0);
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(1);
console.log(`subscribers: ${subscribers} (one socket each), ingests: ${ingests}, entitled deliveries: ${entitled}, delivered: ${delivered} (${latencies.length} within 100 ms of their ingest)`);
console.log(`delivery latency from ingest request: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
console.log(`server RSS: ${(rssBefore / 2 ** 20).toFixed(0)} MB idle -> ${(rssAfter / 2 ** 20).toFixed(0)} MB with subscribers = ${((rssAfter - rssBefore) / subscribers / 1024).toFixed(1)} KB per subscriber`);
await Promise.all(clients.map((client) => client.dispose()));
server.kill('SIGINT');

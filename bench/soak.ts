import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { MemoryReading } from '../test/fixtures/memory-probe.js';
import { startProbedServer } from '../test/helpers/probed-server.js';
import { generateDataset } from './dataset.js';
import { deskgraphToken, graphqlTarget, post, root, secret, sub } from './http-kit.js';

// npm run bench:soak [-- --minutes 10 | --quick] [--rate 5] [--out file]: the server (bin/start.ts,
// --expose-gc, memory probe on its IPC channel) with 1,000 agent consoles across 50 sectors, each one
// socket with ticketEvents and ticketCountsChanged; tickets arrive, are accepted and closed at a
// steady rate. Every 10 s: heap after a forced GC, RSS, event-loop delay p99. At the end, every
// ticketEvents delivery is checked against what the visibility rule entitles each agent to.

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    rate: { type: 'string', default: '5' },
    subscribers: { type: 'string', default: '1000' },
    out: { type: 'string' },
  },
});
const minutes = flags.quick ? 1 : Number(flags.minutes);
const ticketsPerSecond = Number(flags.rate);
const subscribers = Number(flags.subscribers);
const sampleEveryMs = 10_000;
// Heap growth is judged from the end of warm-up (a fifth of the run, at least 20 s) to the end.
const warmUpMs = Math.max(20_000, (minutes * 60_000) / 5);
const sectors = 50;

const dir = join(root, 'bench', 'data', 'soak');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const path = join(dir, 'soak.sqlite');
const dataset = await generateDataset(path, { tickets: 2000, contacts: 2000, sectors, agents: subscribers, messagesPerTicket: 1 }, 'no-login');

// The rule, in its plain words: an agent sees the tickets of their sectors (and those assigned to
// them, who here are always members of the ticket's sector). Read from the file, not from the server.
const db = new BetterSqlite3(path, { readonly: true });
const memberships = db.prepare('SELECT user_id AS userId, sector_id AS sectorId FROM user_sectors').all() as { userId: number; sectorId: number }[];
const sectorIds = (db.prepare('SELECT id FROM sectors ORDER BY id').all() as { id: number }[]).map((row) => row.id);
db.close();
const membersOf = new Map<number, number[]>(sectorIds.map((id) => [id, []]));
for (const { userId, sectorId } of memberships) membersOf.get(sectorId)!.push(userId);
const agentIds = [...new Set(memberships.map((row) => row.userId))].sort((a, b) => a - b);

const server = await startProbedServer({ DATABASE_URL: path, JWT_SECRET: secret, NODE_ENV: 'production', LOG_LEVEL: 'info' });
const wsUrl = server.url.replace(/^http/, 'ws');

// One console per agent: its ticket list (every ticket it sees) and its three counts.
const delivered = new Map<number, number>(agentIds.map((id) => [id, 0]));
const entitled = new Map<number, number>(agentIds.map((id) => [id, 0]));
let countPushes = 0;
let subscriptionErrors = 0;
const clients: Client[] = [];
let connected = 0;
for (const userId of agentIds) {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { token: await deskgraphToken(userId) }, retryAttempts: 0 });
  clients.push(client);
  client.on('connected', () => connected++);
  const failed = (error: unknown) => {
    subscriptionErrors++;
    if (subscriptionErrors <= 3) console.error('subscription error', error);
  };
  client.subscribe({ query: 'subscription { ticketEvents { kind ticketId } }' }, { next: () => delivered.set(userId, delivered.get(userId)! + 1), error: failed, complete: () => {} });
  client.subscribe({ query: 'subscription { ticketCountsChanged { waiting open closed } }' }, { next: () => void countPushes++, error: failed, complete: () => {} });
}
const waitFor = async (condition: () => boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  return condition();
};
if (!(await waitFor(() => connected === agentIds.length && countPushes >= agentIds.length, 120_000))) throw new Error(`only ${connected} of ${agentIds.length} consoles connected`);

// The write load: one ticket's life (ingest, accept, close) started every 1/rate s, sectors in turn;
// each commit entitles every member of the ticket's sector to one ticketEvents delivery.
const adminToken = await deskgraphToken(dataset.adminId);
const tokens = new Map<number, string>();
const tokenOf = async (userId: number) => tokens.get(userId) ?? tokens.set(userId, await deskgraphToken(userId)).get(userId)!;
let commits = 0;
let writeErrors = 0;
const commitIn = (sectorId: number) => {
  commits++;
  for (const userId of membersOf.get(sectorId)!) entitled.set(userId, entitled.get(userId)! + 1);
};
async function ticketLife(n: number): Promise<void> {
  const sectorId = sectorIds[n % sectorIds.length]!;
  const members = membersOf.get(sectorId)!;
  if (members.length === 0) return;
  const agent = members[Math.floor(n / sectorIds.length) % members.length]!;
  const as = async (token: string, query: string, variables: Record<string, unknown>) => {
    const { data, errors } = await post(graphqlTarget(server.url, token, query, variables));
    if (errors) throw new Error(JSON.stringify(errors));
    return data;
  };
  try {
    const { ingestMessage } = await as(adminToken, 'mutation($input: IngestMessageInput!) { ingestMessage(input: $input) { id } }', {
      input: { contact: { phone: `5597${String(n).padStart(9, '0')}` }, body: 'soak', sectorId: sub('Sector', sectorId) },
    });
    commitIn(sectorId);
    const agentToken = await tokenOf(agent);
    await as(agentToken, 'mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ingestMessage.id });
    commitIn(sectorId);
    await as(agentToken, 'mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ingestMessage.id });
    commitIn(sectorId);
  } catch (error) {
    writeErrors++;
    if (writeErrors <= 3) console.error('write failed', error);
  }
}

interface Sample extends MemoryReading {
  atS: number;
  commits: number;
  delivered: number;
}
const sum = (values: Iterable<number>) => [...values].reduce((total, value) => total + value, 0);
const samples: Sample[] = [];
const started = Date.now();
const runMs = minutes * 60_000;
const sample = async () => {
  const reading = await server.memory();
  samples.push({ ...reading, atS: Math.round((Date.now() - started) / 1000), commits, delivered: sum(delivered.values()) });
  const last = samples.at(-1)!;
  console.log(`${String(last.atS).padStart(4)} s  heap ${(last.heapUsed / 2 ** 20).toFixed(1)} MB  rss ${(last.rss / 2 ** 20).toFixed(0)} MB  loop p99 ${last.eventLoopP99Ms.toFixed(1)} ms  commits ${last.commits}`);
};
await sample();
const lives = new Set<Promise<void>>();
let n = 0;
let nextSample = started + sampleEveryMs;
while (Date.now() - started < runMs) {
  const due = started + (n * 1000) / ticketsPerSecond;
  if (Date.now() >= nextSample) {
    await sample();
    // A stalled server delays a reading; the next one still comes a full period later.
    nextSample = Math.max(nextSample + sampleEveryMs, Date.now() + sampleEveryMs / 2);
    continue;
  }
  if (Date.now() < due) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(due, nextSample) - Date.now()));
    continue;
  }
  const life = ticketLife(n++).finally(() => lives.delete(life));
  lives.add(life);
}
await Promise.all(lives);
await sample();

// Deliveries still in flight arrive within seconds; then each agent's count must equal its entitlement.
const entitledTotal = sum(entitled.values());
await waitFor(() => sum(delivered.values()) >= entitledTotal, 60_000);
const deliveredTotal = sum(delivered.values());
const mismatched = agentIds.filter((id) => delivered.get(id) !== entitled.get(id)).length;
await Promise.all(clients.map((client) => client.dispose()));
await server.stop();

const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
const warm = samples.find((s) => s.atS * 1000 >= warmUpMs) ?? samples[0]!;
const end = samples.at(-1)!;
const growth = (end.heapUsed - warm.heapUsed) / warm.heapUsed;
const after = samples.filter((s) => s.atS >= warm.atS);
// Least-squares slope of the heap after warm-up, in MB per minute.
const meanT = sum(after.map((s) => s.atS)) / after.length;
const meanH = sum(after.map((s) => s.heapUsed)) / after.length;
const slope = sum(after.map((s) => (s.atS - meanT) * (s.heapUsed - meanH))) / (sum(after.map((s) => (s.atS - meanT) ** 2)) || 1);
const p99s = samples.slice(1).map((s) => s.eventLoopP99Ms).sort((a, b) => a - b);
const flat = growth < 0.1;
const exact = deliveredTotal === entitledTotal && mismatched === 0;

// A long run shows the first reading of each minute (and the warm-up and last ones); every reading goes to bench/data.
const shown = samples.length <= 13 ? samples : samples.filter((s, i) => i === 0 || s === warm || i === samples.length - 1 || Math.floor(s.atS / 60) > Math.floor(samples[i - 1]!.atS / 60));
writeFileSync(join(root, 'bench', 'data', 'soak-samples.json'), JSON.stringify(samples, null, 1));
const command = `npm run bench:soak${flags.quick ? ' -- --quick' : flags.minutes !== '10' ? ` -- --minutes ${minutes}` : ''}`;
const report = [
  `Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}. Command: \`${command}\`, ${new Date().toISOString().slice(0, 10)}.`,
  '',
  `${agentIds.length} consoles (one socket each: ticketEvents + ticketCountsChanged) across ${sectors} sectors; ${ticketsPerSecond} tickets/s ingested, accepted and closed for ${minutes} min (${commits} commits, ${writeErrors} failed writes).`,
  '',
  '| figure | value |',
  '|---|---|',
  `| heap after GC, end of warm-up (${warm.atS} s) -> end (${end.atS} s) | ${mb(warm.heapUsed)} MB -> ${mb(end.heapUsed)} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%), slope ${(slope * 60 / 2 ** 20).toFixed(2)} MB/min |`,
  `| RSS start -> end (max) | ${mb(samples[0]!.rss)} MB -> ${mb(end.rss)} MB (${mb(Math.max(...samples.map((s) => s.rss)))} MB) |`,
  `| event-loop delay p99 per 10 s: median / worst (max) | ${p99s[Math.floor(p99s.length / 2)]?.toFixed(1)} ms / ${p99s.at(-1)?.toFixed(1)} ms (${Math.max(...samples.slice(1).map((s) => s.eventLoopMaxMs)).toFixed(1)} ms) |`,
  `| ticketEvents entitled / delivered | ${entitledTotal.toLocaleString('en')} / ${deliveredTotal.toLocaleString('en')}, ${mismatched} consoles off, ${subscriptionErrors} subscription errors |`,
  `| ticketCountsChanged pushes | ${countPushes.toLocaleString('en')} |`,
  `| verdict | ${flat ? 'heap flat after warm-up (< +10%)' : 'HEAP GROWS after warm-up (>= +10%)'}; ${exact ? 'every entitled delivery made, nothing more' : 'DELIVERIES DIFFER from entitlement'} |`,
  '',
  '| t (s) | heap after GC (MB) | RSS (MB) | loop delay p99 (ms) | commits | ticketEvents delivered |',
  '|---:|---:|---:|---:|---:|---:|',
  ...shown.map((s) => `| ${s.atS} | ${mb(s.heapUsed)} | ${mb(s.rss)} | ${s.eventLoopP99Ms.toFixed(1)} | ${s.commits} | ${s.delivered} |`),
].join('\n');
console.log(`\n${report}`);

// A full run replaces its block of bench/RESULTS.md; a quick or partial one goes beside the data.
const out = flags.out ?? (flags.quick || minutes < 10 ? join(root, 'bench', 'data', 'soak-quick.md') : null);
if (out) writeFileSync(out, `${report}\n`);
else {
  const resultsPath = join(root, 'bench', 'RESULTS.md');
  const block = `<!-- bench:soak -->\n${report}\n<!-- /bench:soak -->`;
  const results = readFileSync(resultsPath, 'utf8');
  const pattern = /<!-- bench:soak -->[\s\S]*?<!-- \/bench:soak -->/;
  writeFileSync(resultsPath, pattern.test(results) ? results.replace(pattern, block) : `${results.trim()}\n\n${block}\n`);
}
console.log(`written to ${out ?? 'bench/RESULTS.md'}`);
process.exit(flat && exact ? 0 : 1);

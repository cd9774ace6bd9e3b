import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import type { Dataset } from './dataset.js';
import { load } from './http-kit.js';
import { startPeer } from './peer/peer.js';

// npm run bench:peer [-- --quick]: the peer alone, for tuning it without Deskgraph in the loop:
// loads (or reuses) its PostgreSQL cluster, prints the plans of one request per workload and each
// workload's throughput. `npm run bench:http` runs the same peer beside Deskgraph and checks answers.

const quick = process.argv.includes('--quick');
const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const path = join(dataDir, quick ? 'bench-quick.sqlite' : 'bench-1m.sqlite');
if (!existsSync(`${path}.json`)) throw new Error(`No dataset at ${path}: run npm run bench:plans${quick ? ' -- --quick' : ''} first`);
const dataset = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Dataset;
process.once('SIGINT', () => process.exit(130));

// The ticket the HTTP bench reads: the agent's newest WAITING one.
const db = new BetterSqlite3(path, { readonly: true });
const ticketId = db
  .prepare(`SELECT id FROM tickets WHERE status = 'WAITING' AND (sector_id IN (${dataset.agent.sectorIds.join(',')}) OR assignee_id = ?) ORDER BY last_activity_at DESC, id DESC LIMIT 1`)
  .pluck()
  .get(dataset.agent.userId) as number;
db.close();

const peer = await startPeer(path, dataset, console.log);
try {
  const named = [
    ...['WAITING', 'OPEN', 'CLOSED'].map((status) => [`${status} page (50)`, peer.targets.page(status)] as const),
    ['tab counts', peer.targets.counts] as const,
    ['ticket(id) with 50 messages', peer.targets.ticket(ticketId)] as const,
  ];
  const plans = await peer.plans(named.map(([name, target]) => [name, target]));
  writeFileSync(join(dataDir, `peer-plans-${quick ? 'quick' : '1m'}.md`), plans);
  console.log(plans);
  for (const [name, target] of named) {
    await load(target, 1);
    const measured = await load(target, quick ? 3 : 10);
    console.log(`${name}: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms, ${measured.errors} errors`);
  }
} finally {
  await peer.stop();
}

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore, type Store } from '../db/store.js';
import type { TicketScope, TicketStatus } from '../db/types.js';
import type { Dataset } from './dataset.js';
import { startCluster } from './peer/postgres.js';

// npm run bench:search [-- --quick]: the searched tabs read by the store's own functions, on SQLite (the
// dataset `npm run bench:plans` made) and on its PostgreSQL copy (`npm run bench:http -- --engine postgres`
// made it; skipped when absent), each read alternated between the engines. Median ms of up to 15 runs
// after one warm-up run, each read's runs bounded to about ten seconds. Prints a Markdown table.

const quick = process.argv.includes('--quick');
const dataDir = fileURLToPath(new URL('./data', import.meta.url));
const sqlitePath = join(dataDir, quick ? 'bench-quick.sqlite' : 'bench-1m.sqlite');
const clusterDir = join(dataDir, 'pg', quick ? 'bench-quick' : 'bench-1m');
if (!existsSync(sqlitePath)) throw new Error(`No dataset at ${sqlitePath}: run npm run bench:plans${quick ? ' -- --quick' : ''} first`);
const dataset = JSON.parse(readFileSync(`${sqlitePath}.json`, 'utf8')) as Dataset;

const agent: TicketScope = { kind: 'agent', accountId: dataset.accountId, userId: dataset.agent.userId, sectorIds: dataset.agent.sectorIds };
const admin: TicketScope = { kind: 'account', accountId: dataset.accountId, userId: dataset.adminId };
const tab = (status: TicketStatus, search: string) => ({ status, assignedOnly: false, search });

// "refund" is one of the dataset's 15 words (in about an eighth of its messages); "#4242-" is in one ticket's.
const reads: [string, (store: Store) => Promise<unknown>][] = [
  ['agent WAITING searched "refund", first 50', (s) => s.tickets.page(agent, tab('WAITING', 'refund'), 50)],
  ['agent WAITING searched "refund", count', (s) => s.tickets.count(agent, tab('WAITING', 'refund'))],
  ['agent CLOSED searched "refund", first 50', (s) => s.tickets.page(agent, tab('CLOSED', 'refund'), 50)],
  ['agent CLOSED searched "refund", count', (s) => s.tickets.count(agent, tab('CLOSED', 'refund'))],
  ['ADMIN CLOSED searched "refund", first 50', (s) => s.tickets.page(admin, tab('CLOSED', 'refund'), 50)],
  ['agent CLOSED searched "#4242-", first 50', (s) => s.tickets.page(agent, tab('CLOSED', '#4242-'), 50)],
  ['agent CLOSED searched "#4242-", count', (s) => s.tickets.count(agent, tab('CLOSED', '#4242-'))],
  ['agent CLOSED searched "Contact 1234", first 50', (s) => s.tickets.page(agent, tab('CLOSED', 'Contact 1234'), 50)],
  ['agent WAITING searched "ref" (3 characters), first 50', (s) => s.tickets.page(agent, tab('WAITING', 'ref'), 50)],
];

const cluster = existsSync(join(clusterDir, 'cluster', 'PG_VERSION')) ? await startCluster(clusterDir, () => {}) : null;
const stores: [string, Store][] = [['SQLite', await openStore({ url: sqlitePath })]];
if (cluster) stores.push(['PostgreSQL', await openStore({ url: `postgres://postgres@127.0.0.1:${cluster.port}/deskgraph_bench` })]);

const answerOf = (result: unknown) => (typeof result === 'number' ? String(result) : (result as { tickets: { id: number }[] }).tickets.map((ticket) => ticket.id).join(','));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

try {
  const rows: string[] = [];
  for (const [name, read] of reads) {
    const times: number[][] = stores.map(() => []);
    // The warm-up run: both engines must answer the same (a count, or a page's ticket ids in order).
    const answers = await Promise.all(stores.map(async ([, store]) => answerOf(await read(store))));
    if (answers.some((answer) => answer !== answers[0])) throw new Error(`${name}: the engines answered differently: ${answers.join(' / ')}`);
    const ends = performance.now() + 10_000;
    for (let run = 0; run < 15 && (run < 3 || performance.now() < ends); run++) {
      for (const [index, [, store]] of stores.entries()) {
        const started = performance.now();
        await read(store);
        times[index]!.push(performance.now() - started);
      }
    }
    rows.push(`| ${name} | ${times.map((engineTimes) => `${median(engineTimes).toFixed(1)} ms`).join(' | ')} | ${times[0]!.length} |`);
  }
  console.log(`| read | ${stores.map(([engine]) => engine).join(' | ')} | runs |\n|---|${stores.map(() => '---|').join('')}---|\n${rows.join('\n')}`);
} finally {
  for (const [, store] of stores) await store.close();
  cluster?.stop();
}

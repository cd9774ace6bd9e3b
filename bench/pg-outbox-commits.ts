import { parseArgs } from 'node:util';
import { scratchDatabase } from './pg-scratch.js';
import { openStore } from '../db/store.js';

// What the outbox's order costs a commit on PostgreSQL: every transaction that records events holds one
// advisory lock from its outbox insert to its commit, so the statements under it bound how many commits
// per second an installation makes. Commits of 3 events each (an ingest records about as many), one at a
// time and then from 20 writers at once, into a database of their own on the given cluster.
// Usage: npm run bench:pg-commits -- --url postgres://postgres@127.0.0.1:5432/postgres [--pool-size N]

const { values } = parseArgs({ options: { url: { type: 'string' }, seconds: { type: 'string', default: '3' }, 'pool-size': { type: 'string' } } });
if (!values.url) throw new Error('--url postgres://... (an admin URL: the bench creates and drops its own database)');
const scratch = await scratchDatabase(values.url, 'bench_commits');
try {
  const store = await openStore({ url: scratch.url, ...(values['pool-size'] ? { poolSize: Number(values['pool-size']) } : {}) });
  const account = await store.write((tx) => tx.accounts.insert({ name: 'Bench', timeZone: 'UTC' }, new Date()));
  const commit = () =>
    store.write(async (tx) => {
      for (let ticketId = 1; ticketId <= 3; ticketId++) await tx.record({ accountId: account.id, type: 'ticket.updated', payload: { ticketId }, occurredAt: new Date() });
    });
  for (let i = 0; i < 300; i++) await commit();
  const sequential: string[] = [];
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    for (let i = 0; i < 1000; i++) await commit();
    sequential.push(((performance.now() - started) / 1000).toFixed(3));
  }
  const started = performance.now();
  let commits = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (performance.now() - started < Number(values.seconds) * 1000) {
        await commit();
        commits++;
      }
    }),
  );
  console.log(`one writer: ms per commit of 3 events, 3 rounds of 1,000: ${sequential.join(', ')}`);
  console.log(`20 writers: ${(commits / ((performance.now() - started) / 1000)).toFixed(0)} commits/s`);
  await store.close();
} finally {
  await scratch.drop();
}

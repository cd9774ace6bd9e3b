import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { isPostgresUrl } from '../db/store.js';
import { copySqliteToPostgres, TargetNotEmpty } from '../db/postgres/copy-from-sqlite.js';

// npm run db:copy -- --from ./data/deskgraph.sqlite --to postgres://...: moves an installation from its
// SQLite file into an empty PostgreSQL database (stop the server first; the file is read in one snapshot).

const usage = 'usage: npm run db:copy -- --from <SQLite file> --to postgres://user@host:port/database';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' } } });
  if (!values.from || !values.to) throw new Error(usage);
  if (!isPostgresUrl(values.to)) throw new Error(`--to must be a postgres:// URL; ${usage}`);
  const from = resolve(values.from.replace(/^(file|sqlite):/, ''));
  const summary = await copySqliteToPostgres({ from, to: values.to, progress: (message) => process.stdout.write(`  ${message}\n`) });
  const rows = summary.tables.reduce((sum, table) => sum + table.rows, 0);
  process.stdout.write(`copied ${rows} rows in ${summary.tables.length} tables from ${from} in ${(summary.ms / 1000).toFixed(1)} s; row counts match the source\n`);
  for (const { id, counts } of summary.accounts) {
    process.stdout.write(`  account ${id}: ${counts.waiting} waiting, ${counts.open} open, ${counts.closed} closed (as in the source)\n`);
  }
  process.stdout.write(`  outbox ids issued through ${summary.outboxIssuedThrough}: consumers' cursors and live resume cursors carry over\n`);
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(error instanceof TargetNotEmpty ? `db:copy refused: ${message}\n` : `db:copy failed: ${message}\n`);
  process.exit(1);
});

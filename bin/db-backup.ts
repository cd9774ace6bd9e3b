import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ConfigError, sqlitePathOf } from './config.js';

// npm run db:backup -- <file>: a consistent copy of the running installation's database, taken
// with SQLite's online backup while the server keeps writing (WAL: writers never wait for it).

async function main(): Promise<void> {
  const target = process.argv[2];
  if (!target) throw new ConfigError(['usage: npm run db:backup -- <backup file>']);
  const destination = resolve(target);
  if (existsSync(destination)) throw new ConfigError([`${destination} exists already; pick a new file name`]);
  const source = sqlitePathOf(process.env);
  if (!existsSync(source)) throw new ConfigError([`DATABASE_URL: no database at ${source}`]);
  const db = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  try {
    // Every page in one step: one read snapshot, so a write in between cannot restart the copy.
    await db.backup(destination, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
  const copy = new BetterSqlite3(destination, { readonly: true });
  const check = copy.pragma('integrity_check', { simple: true });
  copy.close();
  if (check !== 'ok') throw new Error(`the backup failed its integrity check: ${String(check)}`);
  process.stdout.write(`backup of ${source} written to ${destination} (integrity check: ok)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`db:backup failed: ${error instanceof ConfigError ? error.problems.join('; ') : (error as Error).message}\n`);
  process.exit(1);
});

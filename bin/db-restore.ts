import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ConfigError, sqlitePathOf } from './config.js';

// npm run db:restore -- <file>: puts a backup in place as DATABASE_URL, into an empty data folder
// only, so it can never overwrite a live database. Start Deskgraph afterwards: it migrates the
// copy if the backup is older than the code.

function main(): void {
  const source = process.argv[2] ? resolve(process.argv[2]) : undefined;
  if (!source) throw new ConfigError(['usage: npm run db:restore -- <backup file>']);
  if (!existsSync(source)) throw new ConfigError([`no backup at ${source}`]);
  const target = sqlitePathOf(process.env);
  const folder = dirname(target);
  if (['', '-wal', '-shm'].some((suffix) => existsSync(`${target}${suffix}`))) {
    throw new ConfigError([`${target} exists already; restore into an empty data folder (stop Deskgraph and move the old files away first)`]);
  }
  const backup = new BetterSqlite3(source, { readonly: true, fileMustExist: true });
  const check = backup.pragma('integrity_check', { simple: true });
  backup.close();
  if (check !== 'ok') throw new Error(`${source} fails its integrity check: ${String(check)}`);
  mkdirSync(folder, { recursive: true });
  copyFileSync(source, target);
  process.stdout.write(`restored ${source} to ${target}\n`);
}

try {
  main();
} catch (error) {
  process.stderr.write(`db:restore failed: ${error instanceof ConfigError ? error.problems.join('; ') : (error as Error).message}\n`);
  process.exit(1);
}

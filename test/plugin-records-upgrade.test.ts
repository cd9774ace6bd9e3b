import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { drizzle as sqliteDrizzle } from 'drizzle-orm/better-sqlite3';
import { migrate as sqliteMigrate } from 'drizzle-orm/better-sqlite3/migrator';
import { drizzle as pgDrizzle } from 'drizzle-orm/node-postgres';
import { migrate as pgMigrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startDeskgraph } from '../server.js';
import { noteOf, notebookPlugin } from './fixtures/notebook-plugin.js';
import { testConfig } from './helpers/app.js';
import { engine } from './helpers/database.js';
import { adminQuery, databaseUrl, quoted } from './helpers/engine.js';

// An installation from before plugin records had an account: its records hold the Chatwoot bridge's
// links, so on upgrade they must land in the first account (the only one that could exist then) and
// be found there by the plugin, not lost.

const dir = mkdtempSync(join(tmpdir(), 'deskgraph-records-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The engine's migrations folder as it was before plugin records took an account (found by content, not by name). */
function migrationsBeforeAccounts(engineFolder: string): string {
  const folder = join(dir, `${engine}-migrations`);
  cpSync(engineFolder, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  const first = journal.entries.findIndex((entry) => /ALTER TABLE [`"]plugin_records[`"] ADD (COLUMN )?[`"]account_id/.test(readFileSync(join(folder, `${entry.tag}.sql`), 'utf8')));
  expect(first, 'no migration gives plugin_records an account').toBeGreaterThan(0);
  for (const entry of journal.entries.slice(first)) rmSync(join(folder, `${entry.tag}.sql`));
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, first) }));
  expect(readdirSync(folder).filter((name) => name.endsWith('.sql'))).toHaveLength(first);
  return folder;
}

const OLD_ROWS = `INSERT INTO accounts (id, name, created_at) VALUES (7, 'First', $1), (9, 'Later', $1);
INSERT INTO plugin_records (plugin, kind, key, value, updated_at) VALUES ('notebook', 'latest', 'ticket', '"VGlja2V0OjE="', $1), ('notebook', 'memo', 'old', '"kept"', $1);`;

/** A database of the older schema holding two accounts and plugin records without one; returns its URL. */
async function olderInstallation(): Promise<string> {
  if (engine === 'sqlite') {
    const path = join(dir, 'older.sqlite');
    const db = new BetterSqlite3(path);
    sqliteMigrate(sqliteDrizzle(db), { migrationsFolder: migrationsBeforeAccounts('db/sqlite/migrations') });
    for (const statement of OLD_ROWS.split('\n')) db.prepare(statement.replaceAll('$1', '?')).run(...Array(statement.split('$1').length - 1).fill(Date.now()));
    db.close();
    return path;
  }
  const cluster = inject('postgres')!;
  const name = `${cluster.prefix}_records_upgrade`;
  await adminQuery(cluster.adminUrl, `CREATE DATABASE ${quoted(name)}`);
  const url = databaseUrl(cluster.adminUrl, name);
  const pool = new pg.Pool({ connectionString: url });
  try {
    await pgMigrate(pgDrizzle(pool), { migrationsFolder: migrationsBeforeAccounts('db/postgres/migrations') });
    for (const statement of OLD_ROWS.split('\n')) await pool.query(statement, [new Date()]);
  } finally {
    await pool.end();
  }
  return url;
}

describe('plugin records on an upgraded installation', () => {
  it('belong to the first account after the migrations, where the plugin reads them; other accounts see none', async () => {
    const url = await olderInstallation();
    const notebook = notebookPlugin();
    const running = await startDeskgraph(testConfig(dir, { databaseUrl: url, bootstrap: undefined, plugins: [notebook.plugin] }), { port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
    try {
      expect(await noteOf(running.url, 7, 'latest', 'ticket')).toBe('VGlja2V0OjE=');
      expect(await noteOf(running.url, 7, 'memo', 'old')).toBe('kept');
      expect(await noteOf(running.url, 9, 'memo', 'old')).toBeNull();
    } finally {
      await running.stop();
      if (engine === 'postgres') await adminQuery(inject('postgres')!.adminUrl, `DROP DATABASE IF EXISTS ${quoted(`${inject('postgres')!.prefix}_records_upgrade`)} WITH (FORCE)`);
    }
  });
});

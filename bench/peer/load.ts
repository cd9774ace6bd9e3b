import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import { startCluster, type Cluster } from './postgres.js';
import { afterLoad, beforeLoad, database, loadedTables, schemaVersion, type LoadedTable } from './schema.js';

// Puts the SQLite dataset into the peer's PostgreSQL: CSV made by SQLite itself (one string per row,
// so JavaScript only concatenates), streamed into `\copy ... FREEZE` in the transaction that
// truncates the table (no WAL at wal_level=minimal, rows born frozen and all-visible), then keys,
// indexes, policies and VACUUM ANALYZE. Loading 1M tickets and 5M messages takes minutes, so the
// loaded cluster is kept and reused while the SQLite data and this schema are unchanged.

/**
 * What identifies the SQLite data without hashing a gigabyte: the last id of every loaded table,
 * every row of the count tables (any ticket move changes them) and the last history entry (any
 * accept, close or transfer adds one), plus the peer schema's version.
 */
export function fingerprintOf(sqlitePath: string): string {
  const db = new BetterSqlite3(sqlitePath, { readonly: true });
  try {
    const parts: unknown[] = [schemaVersion];
    for (const table of ['accounts', 'sectors', 'users', 'contacts', 'tickets', 'messages', 'ticket_history']) {
      parts.push(db.prepare(`SELECT max(id) AS id FROM ${table}`).get());
    }
    parts.push(db.prepare('SELECT count(*) AS n FROM user_sectors').get());
    parts.push(db.prepare('SELECT * FROM ticket_counts ORDER BY account_id, status, sector_id, assignee_id').all());
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  } finally {
    db.close();
  }
}

/** One SQLite expression per column that yields its CSV field (quoted text, ISO UTC timestamps, empty for NULL). */
function csvField([, type, column]: LoadedTable['columns'][number]): string {
  if (type.startsWith('timestamptz')) return `coalesce(strftime('%Y-%m-%d %H:%M:%f+00', ${column} / 1000.0, 'unixepoch'), '')`;
  if (/^(text|jsonb)/.test(type)) return `coalesce('"' || replace(${column}, '"', '""') || '"', '')`;
  return `coalesce(${column}, '')`;
}

function csvOf(db: BetterSqlite3.Database, { table, columns }: LoadedTable): Readable {
  const source = table.replace(/^peer(_private)?\./, '');
  const rows = db.prepare(`SELECT ${columns.map(csvField).join(` || ',' || `)} FROM ${source}`).pluck().iterate() as IterableIterator<string>;
  return new Readable({
    read() {
      // 4,000 rows a chunk: few enough pushes to keep the stream cheap, small enough to overlap with COPY.
      let chunk = '';
      for (let i = 0; i < 4000; i++) {
        const next = rows.next();
        if (next.done) {
          if (chunk) this.push(chunk);
          this.push(null);
          return;
        }
        chunk += `${next.value}\n`;
      }
      this.push(chunk);
    },
  });
}

async function load(cluster: Cluster, sqlitePath: string, log: (line: string) => void): Promise<void> {
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
  await cluster.psql(`create database ${database}`);
  await cluster.psql(beforeLoad, { database });
  const db = new BetterSqlite3(sqlitePath, { readonly: true });
  try {
    for (const table of loadedTables) {
      const columns = table.columns.map(([name]) => name).join(', ');
      await cluster.psql(['begin', `truncate ${table.table}`, `\\copy ${table.table} (${columns}) from pstdin with (format csv, freeze)`, 'commit'], { database, input: csvOf(db, table) });
      log(`  copied ${table.table} (${elapsed()})`);
    }
  } finally {
    db.close();
  }
  for (const step of afterLoad) await cluster.psql(step, { database });
  log(`  keys, indexes, policies (${elapsed()})`);
  await cluster.psql('vacuum (analyze)', { database });
  log(`  vacuum analyze (${elapsed()})`);
}

/**
 * Starts the peer's cluster in `dir` with the SQLite dataset loaded: reused when the fingerprint
 * matches the last load, rebuilt from scratch (initdb) otherwise.
 */
export async function peerDatabase(sqlitePath: string, dir: string, log: (line: string) => void): Promise<{ cluster: Cluster; loadedNow: boolean }> {
  const stamp = join(dir, 'loaded.json');
  const fingerprint = fingerprintOf(sqlitePath);
  const cached = existsSync(stamp) && (JSON.parse(readFileSync(stamp, 'utf8')) as { fingerprint: string }).fingerprint === fingerprint;
  if (cached) {
    log(`reusing the loaded peer cluster in ${dir}`);
    return { cluster: await startCluster(dir, log), loadedNow: false };
  }
  log(`loading ${sqlitePath} into a new peer cluster in ${dir}`);
  rmSync(stamp, { force: true });
  rmSync(join(dir, 'cluster'), { recursive: true, force: true });
  const cluster = await startCluster(dir, log);
  try {
    const started = performance.now();
    await load(cluster, sqlitePath, log);
    writeFileSync(stamp, JSON.stringify({ fingerprint, sqlitePath, seconds: Math.round((performance.now() - started) / 1000), at: new Date().toISOString() }));
  } catch (error) {
    cluster.stop();
    throw error;
  }
  return { cluster, loadedNow: true };
}

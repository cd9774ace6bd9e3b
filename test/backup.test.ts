import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { engine } from './helpers/database.js';
import { INGEST } from './helpers/fixtures.js';

const root = join(import.meta.dirname, '..');
const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deskgraph-backup-'));
  dirs.push(dir);
  return dir;
}

/** The npm script, as an operator runs it (asynchronously: the server lives in this process). */
function npmRun(script: string, file: string, databaseUrl: string) {
  return run('npm', ['run', '--silent', script, '--', file], { cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
}

// The SQLite file's backup and restore; PostgreSQL's are pg_dump's (bin/config.ts refuses them).
describe.skipIf(engine === 'postgres')('npm run db:backup / db:restore', () => {
  it('a backup taken under concurrent writes restores to a sound database holding every write acknowledged before it', async () => {
    const app: TestApp = await startTestApp();
    const backupFile = join(tempDir(), 'deskgraph-backup.sqlite');
    const acknowledged: { id: string; at: number }[] = [];
    let writing = true;
    let n = 0;
    // Writers keep going for the whole backup: each write is one new WAITING ticket.
    const writer = (async () => {
      while (writing) {
        n += 1;
        const { ingestMessage } = await app.admin.request(INGEST, { input: { contact: { phone: `+55119${String(n).padStart(8, '0')}`, name: `C${n}` }, body: 'hello' } });
        acknowledged.push({ id: ingestMessage.id, at: Date.now() });
      }
    })();
    try {
      await expect.poll(() => acknowledged.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
      const startedAt = Date.now();
      const ackedBefore = acknowledged.filter((write) => write.at < startedAt).map((write) => write.id);
      const { stdout } = await npmRun('db:backup', backupFile, app.config.databaseUrl);
      const ackedByEnd = acknowledged.length;
      expect(stdout).toMatch(/integrity check: ok/);
      expect(acknowledged.length).toBeGreaterThan(ackedBefore.length); // writes did go on meanwhile
      writing = false;
      await writer;

      const backup = new BetterSqlite3(backupFile, { readonly: true });
      expect(backup.pragma('integrity_check', { simple: true })).toBe('ok');
      backup.close();

      const restoredDir = tempDir();
      const restoredDb = join(restoredDir, 'data', 'deskgraph.sqlite');
      expect((await npmRun('db:restore', backupFile, restoredDb)).stdout).toMatch(/restored/);
      const restored = await startTestApp({}, join(restoredDir, 'data'));
      try {
        const { ticketCounts } = await restored.admin.request('{ ticketCounts { waiting open closed } }');
        // Everything acknowledged before the backup began, at most what was acknowledged by its end.
        expect(ticketCounts.waiting).toBeGreaterThanOrEqual(ackedBefore.length);
        expect(ticketCounts.waiting).toBeLessThanOrEqual(ackedByEnd + 1);
        const ids = new Set<string>();
        for (let after: string | null = null, more = true; more; ) {
          const { tickets }: { tickets: any } = await restored.admin.request('query($after: String) { tickets(status: WAITING, first: 50, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }', { after });
          expect(tickets.totalCount).toBe(ticketCounts.waiting);
          for (const edge of tickets.edges as { node: { id: string } }[]) ids.add(edge.node.id);
          ({ hasNextPage: more, endCursor: after } = tickets.pageInfo);
        }
        expect(ids.size).toBe(ticketCounts.waiting);
        for (const id of ackedBefore) expect(ids.has(id), id).toBe(true);
        // The restored tab is a prefix of the write order: no gap where a later write landed without an earlier one.
        const order = acknowledged.map((write) => write.id);
        expect(order.slice(0, ids.size).every((id) => ids.has(id))).toBe(true);
      } finally {
        await restored.stop();
      }
    } finally {
      writing = false;
      await writer.catch(() => undefined);
      await app.stop();
    }
  });

  it('restores only into an empty data folder, and refuses a missing backup', async () => {
    const dir = tempDir();
    const app = await startTestApp({}, dir);
    await app.stop();
    const live = join(dir, 'deskgraph.sqlite');
    const users = () => {
      const db = new BetterSqlite3(live, { readonly: true });
      try {
        return db.prepare('SELECT count(*) AS n FROM users').get();
      } finally {
        db.close();
      }
    };
    const before = users();
    await expect(npmRun('db:restore', join(tempDir(), 'nothing.sqlite'), live)).rejects.toMatchObject({ stderr: expect.stringMatching(/no backup at/) });
    const other = join(tempDir(), 'copy.sqlite');
    await npmRun('db:backup', other, live);
    await expect(npmRun('db:restore', other, live)).rejects.toMatchObject({ stderr: expect.stringMatching(/exists already; restore into an empty data folder/) });
    expect(users()).toEqual(before);
    expect(existsSync(other)).toBe(true);
    await expect(npmRun('db:backup', other, live)).rejects.toMatchObject({ stderr: expect.stringMatching(/exists already; pick a new file name/) });
  });
});

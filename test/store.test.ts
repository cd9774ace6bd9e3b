import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { openDatabase } from '../db/sqlite/client.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../db/store.js';
import { snapshotOf } from './helpers/app.js';
import { databaseUrlOf, engine, prepareDatabase } from './helpers/database.js';

let dir: string;
let store: Store;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deskgraph-store-'));
  store = await openStore({ url: await prepareDatabase(dir) });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the store', () => {
  // PRAGMAs of the two better-sqlite3 connections: nothing to check on PostgreSQL.
  it.skipIf(engine === 'postgres')('tunes both SQLite connections for a server: WAL, foreign keys, NORMAL sync, busy timeout; reads cannot write', () => {
    const connections = openDatabase(databaseUrlOf(dir));
    try {
      for (const connection of [connections.writer, connections.reader]) {
        expect(connection.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(connection.pragma('foreign_keys', { simple: true })).toBe(1);
        expect(connection.pragma('synchronous', { simple: true })).toBe(1);
        expect(connection.pragma('busy_timeout', { simple: true })).toBe(5000);
      }
      expect(() => connections.reader.exec("INSERT INTO accounts (name, time_zone, created_at) VALUES ('x', 'UTC', 0)")).toThrow(/readonly|read-only|query_only/i);
    } finally {
      connections.close();
    }
  });

  it('rolls back the whole transaction, outbox included, when the work throws', async () => {
    const account = await store.write((tx) => tx.accounts.insert({ name: 'Acme', timeZone: 'UTC' }, new Date()));
    const before = await snapshotOf(databaseUrlOf(dir));
    await expect(
      store.write(async (tx) => {
        await tx.sectors.insert({ accountId: account.id, name: 'Half', color: '#000000', greeting: null, routingMode: 'MANUAL' }, new Date());
        await tx.record({ accountId: account.id, type: 'sector.created', payload: {}, occurredAt: new Date() });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await snapshotOf(databaseUrlOf(dir))).toBe(before);
  });

  it('publishes recorded events only after commit, and never for a rolled-back transaction', async () => {
    const account = await store.write((tx) => tx.accounts.insert({ name: 'Events', timeZone: 'UTC' }, new Date()));
    const seen: string[] = [];
    let visibleToReadsWhenPublished = false;
    const stop = store.onCommitted((events) => {
      seen.push(...events.map((event) => event.type));
      void store.sectors.list(account.id).then((sectors) => (visibleToReadsWhenPublished = sectors.length === 1));
    });
    await store.write(async (tx) => {
      await tx.sectors.insert({ accountId: account.id, name: 'Sales', color: '#000000', greeting: null, routingMode: 'MANUAL' }, new Date());
      await tx.record({ accountId: account.id, type: 'sector.created', payload: { n: 1 }, occurredAt: new Date() });
      expect(seen).toEqual([]);
    });
    await store
      .write(async (tx) => {
        await tx.record({ accountId: account.id, type: 'sector.updated', payload: {}, occurredAt: new Date() });
        throw new Error('rolled back');
      })
      .catch(() => undefined);
    stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['sector.created']);
    expect(visibleToReadsWhenPublished).toBe(true);
    expect(await store.outbox.count(account.id)).toBe(1);
  });

  it('runs concurrent writers one at a time, so a read-check-write cannot interleave', async () => {
    const account = await store.write((tx) => tx.accounts.insert({ name: 'Race', timeZone: 'UTC' }, new Date()));
    const attempts = Array.from({ length: 20 }, (_, i) =>
      store.write(async (tx) => {
        if (await tx.sectors.nameTaken(account.id, 'Only once')) return false;
        await new Promise((resolve) => setTimeout(resolve, i % 3));
        await tx.sectors.insert({ accountId: account.id, name: 'Only once', color: '#000000', greeting: null, routingMode: 'MANUAL' }, new Date());
        return true;
      }),
    );
    const results = await Promise.all(attempts);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.sectors.list(account.id)).toHaveLength(1);
  });

  it('never lets a plain read see an uncommitted write', async () => {
    const account = await store.write((tx) => tx.accounts.insert({ name: 'Isolation', timeZone: 'UTC' }, new Date()));
    let seenDuring = -1;
    await store.write(async (tx) => {
      await tx.sectors.insert({ accountId: account.id, name: 'Pending', color: '#000000', greeting: null, routingMode: 'MANUAL' }, new Date());
      seenDuring = (await store.sectors.list(account.id)).length;
    });
    expect(seenDuring).toBe(0);
    expect(await store.sectors.list(account.id)).toHaveLength(1);
  });

  // No API path creates a contact that never interacted (ingestion sets the instant): copied or older data may hold one.
  it('lists contacts newest interaction first, one that never interacted last and in no period', async () => {
    const account = await store.write((tx) => tx.accounts.insert({ name: 'Recency', timeZone: 'UTC' }, new Date()));
    const contact = (name: string, at: string | null) =>
      store.write((tx) => tx.contacts.insert({ accountId: account.id, name, phone: name.toLowerCase(), email: null, city: null, document: null, externalId: null, notes: null, lastInteractionAt: at === null ? null : new Date(at) }, new Date()));
    const never = await contact('Never', null);
    const old = await contact('Old', '2026-01-01T00:00:00.000Z');
    const recent = await contact('Recent', '2026-11-01T00:00:00.000Z');
    const names = async (filter: Parameters<Store['contacts']['page']>[2], size = 10) => (await store.contacts.page(account.id, 'all', filter, size)).contacts.map((row) => row.name);
    expect(await names({})).toEqual(['Recent', 'Old', 'Never']);
    // Page by page, forward from each last row: the same order, the never-interacted contact at the end.
    const first = await store.contacts.page(account.id, 'all', {}, 2);
    expect(first.contacts.map((row) => row.id)).toEqual([recent.id, old.id]);
    const second = await store.contacts.page(account.id, 'all', {}, 2, { lastInteractionAt: old.lastInteractionAt!.getTime(), id: old.id });
    expect(second.contacts.map((row) => row.id)).toEqual([never.id]);
    expect(await names({ lastInteractionFrom: new Date('0001-01-01T00:00:00.000Z') })).toEqual(['Recent', 'Old']);
    expect(await names({ lastInteractionTo: new Date('2026-06-01T00:00:00.000Z') })).toEqual(['Old']);
    expect(await names({ lastInteractionFrom: new Date('1969-01-01T00:00:00.000Z'), lastInteractionTo: new Date('2026-12-01T00:00:00.000Z') })).toEqual(['Recent', 'Old']);
    expect(await store.contacts.count(account.id, 'all', { lastInteractionTo: new Date('2026-12-01T00:00:00.000Z') })).toBe(2);
  });
});

// A table change without `drizzle-kit generate` for either engine leaves that engine's databases behind.
// drizzle-kit reads --out as relative to its working directory (an absolute path fails, exit code 0),
// so the copy is passed relative, and the answer it prints is checked as well as the files.
function expectNothingToGenerate(dialect: 'sqlite' | 'postgresql', engine: 'sqlite' | 'postgres'): void {
  const root = join(import.meta.dirname, '..');
  const copy = mkdtempSync(join(tmpdir(), 'deskgraph-migrations-'));
  try {
    cpSync(join(root, 'db', engine, 'migrations'), copy, { recursive: true });
    const before = readdirSync(copy).sort();
    const run = spawnSync(process.execPath, [join(root, 'node_modules', 'drizzle-kit', 'bin.cjs'), 'generate', '--dialect', dialect, '--schema', `./db/${engine}/tables/index.ts`, '--out', relative(root, copy)], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(`${run.stdout}${run.stderr}`).toContain('No schema changes, nothing to migrate');
    expect(readdirSync(copy).sort()).toEqual(before);
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

describe('migrations', () => {
  it('are up to date with db/sqlite/tables (drizzle-kit generates nothing new)', () => {
    expectNothingToGenerate('sqlite', 'sqlite');
  });

  it('are up to date with db/postgres/tables (drizzle-kit generates nothing new)', () => {
    expectNothingToGenerate('postgresql', 'postgres');
  });
});

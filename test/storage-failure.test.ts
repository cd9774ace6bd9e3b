import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { engine } from './helpers/database.js';
import { contactWrites, createAgent, createSector, INGEST, type Agent } from './helpers/fixtures.js';

// The disk fills or the database turns read-only under a running server: writes answer
// STORAGE_UNAVAILABLE and change nothing, reads keep working, /healthz says "degraded", and the
// service takes writes again once the storage does.
//
// Stand-ins on the server's own write connection (the real file, the real server): max_page_count
// makes SQLite answer SQLITE_FULL exactly as a full disk does; a file chmod-ed under an open handle
// still writes (permissions are checked at open, and tests run as root), so what an operator meets
// is SQLITE_READONLY after a read-only remount or reopen: query_only makes SQLite answer that code.
// Where the tests may mount (root with CAP_SYS_ADMIN), a last case fills a real 8 MiB tmpfs.

// max_page_count, query_only and the file on a tmpfs are SQLite's: PostgreSQL has no such stand-ins.
describe.skipIf(engine === 'postgres')('storage failures of SQLite', () => {
  let app: TestApp;
  let writer: BetterSqlite3.Database;
  let ana: Agent;
  let sector: string;
  let ticketId: string;

  const TICKETS = '{ tickets(status: WAITING, all: true, first: 50) { totalCount edges { node { id contact { name } } } } }';
  const SEARCH = 'query($s: String!) { contacts(search: $s) { totalCount } }';
  const SEND = 'mutation($id: ID!, $body: String!) { sendMessage(ticketId: $id, body: $body) { id } }';
  const CREATE_SECTOR = 'mutation($name: String!) { createSector(input: { name: $name }) { id } }';
  const big = (seed: number) => Array.from({ length: 400 }, (_, i) => `w${seed}x${i}`).join(' ').slice(0, 4000);

  async function health(): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(app.url.replace('/graphql', '/healthz'));
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  /** What a reader sees: the waiting tab, a search, the ticket's messages. */
  async function reads() {
    const waiting = await ana.client.request(TICKETS);
    const search = await ana.client.request(SEARCH, { s: 'Storage' });
    const messages = await ana.client.request('query($id: ID!) { ticket(id: $id) { messages(first: 50) { totalCount } } }', { id: ticketId });
    return { waiting: waiting.tickets, search: search.contacts.totalCount, messages: messages.ticket.messages.totalCount };
  }

  beforeAll(async () => {
    // Background writers wait for commits (no polling) and the relay lease is renewed rarely, so only the requests below write.
    app = await startTestApp({
      onWriterOpen: (connection) => {
        writer = connection;
      },
      relay: { pollMs: 3_600_000, leaseMs: 3_600_000 },
      pluginConfig: { webhooks: { pollMs: 3_600_000 } },
    });
    sector = await createSector(app, 'Sales');
    ana = await createAgent(app, 'Ana', [sector]);
    for (let i = 0; i < 3; i++) ticketId = (await contactWrites(app, { phone: `5511970000${i}`, name: `Storage Contact ${i}`, body: 'hello', sectorId: sector })).id;
    await ana.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticketId });
  });
  afterAll(() => app.stop());

  describe('a full disk', () => {
    it('refuses writes with STORAGE_UNAVAILABLE (DISK_FULL), changing nothing, while reads and /healthz keep answering', async () => {
      writer.pragma(`max_page_count = ${writer.pragma('page_count', { simple: true }) as number}`);
      // Fill what room is left in the pages the file has, as a filling disk would.
      let filled = false;
      for (let i = 0; i < 200 && !filled; i++) {
        const errors = await app.admin.errors(INGEST, { input: { contact: { phone: `5521980000${i}`, name: `Filler ${i}` }, body: big(i), sectorId: sector } });
        filled = errors.some((error) => error.extensions?.['code'] === 'STORAGE_UNAVAILABLE');
      }
      expect(filled).toBe(true);
      await app.running.relay.settled();

      const before = await app.snapshot();
      const seen = await reads();
      const refusals = [
        await app.admin.expectCode(INGEST, { input: { contact: { phone: '5531990000001', name: 'New Contact' }, body: big(1000), sectorId: sector } }, 'STORAGE_UNAVAILABLE'),
        await app.admin.expectCode(INGEST, { input: { contact: { phone: '5511970000', name: 'Storage Contact 0' }, body: big(1001), sectorId: sector } }, 'STORAGE_UNAVAILABLE'),
        await ana.client.expectCode(SEND, { id: ticketId, body: big(1002) }, 'STORAGE_UNAVAILABLE'),
      ];
      for (const refusal of refusals) expect(refusal.extensions).toMatchObject({ reason: 'DISK_FULL', since: expect.any(String) });

      expect(await app.snapshot()).toBe(before);
      expect(await reads()).toEqual(seen);
      expect(await health()).toMatchObject({ status: 200, body: { status: 'degraded', writes: 'unavailable', reason: 'DISK_FULL' } });
      // Still full: the health check's own probe of the storage changes nothing either.
      expect(await app.snapshot()).toBe(before);
    });

    it('takes writes again once there is room, and /healthz says so without waiting for one', async () => {
      writer.pragma('max_page_count = 1073741823');
      expect(await health()).toMatchObject({ status: 200, body: { status: 'ok' } });
      const { ingestMessage } = await app.admin.request(INGEST, { input: { contact: { phone: '5531990000001', name: 'New Contact' }, body: big(1000), sectorId: sector } });
      const after = await reads();
      expect(after.waiting.edges.map((edge: { node: { id: string } }) => edge.node.id)).toContain(ingestMessage.id);
      await ana.client.request(SEND, { id: ticketId, body: 'back' });
    });
  });

  describe('a database turned read-only', () => {
    it('refuses every write with STORAGE_UNAVAILABLE (READ_ONLY), changing nothing, while reads and /healthz keep answering', async () => {
      await app.running.relay.settled();
      writer.pragma('query_only = ON');
      const before = await app.snapshot();
      const seen = await reads();
      const refusals = [
        await app.admin.expectCode(CREATE_SECTOR, { name: 'Support' }, 'STORAGE_UNAVAILABLE'),
        await app.admin.expectCode(INGEST, { input: { contact: { phone: '5541990000001', name: 'Another' }, body: 'hi', sectorId: sector } }, 'STORAGE_UNAVAILABLE'),
        await ana.client.expectCode(SEND, { id: ticketId, body: 'short' }, 'STORAGE_UNAVAILABLE'),
        await ana.client.expectCode('mutation { setMyStatus(status: PAUSED) { id } }', undefined, 'STORAGE_UNAVAILABLE'),
      ];
      for (const refusal of refusals) expect(refusal.extensions).toMatchObject({ reason: 'READ_ONLY' });
      expect(await app.snapshot()).toBe(before);
      expect(await reads()).toEqual(seen);
      expect(await health()).toMatchObject({ status: 200, body: { status: 'degraded', writes: 'unavailable', reason: 'READ_ONLY' } });
    });

    it('recovers when the file is writable again', async () => {
      writer.pragma('query_only = OFF');
      expect(await health()).toMatchObject({ status: 200, body: { status: 'ok' } });
      await app.admin.request(CREATE_SECTOR, { name: 'Support' });
      const { sectors } = await app.admin.request('{ sectors { name } }');
      expect(sectors.map((s: { name: string }) => s.name)).toContain('Support');
    });
  });

  /** A fresh 8 MiB tmpfs, or null where this process may not mount one. */
  function smallDisk(): string | null {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) return null;
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-disk-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { stdio: 'ignore' });
      return dir;
    } catch {
      rmSync(dir, { recursive: true, force: true });
      return null;
    }
  }
  const disk = engine === 'postgres' ? null : smallDisk();
  afterAll(() => {
    if (!disk) return;
    execFileSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  });

  describe.skipIf(disk === null)('a real disk filling up (an 8 MiB tmpfs)', () => {
    it('refuses writes with DISK_FULL and changes nothing, serves reads, reports and recovers when a file is deleted', async () => {
      const dir = disk!;
      const quiet = { relay: { pollMs: 3_600_000, leaseMs: 3_600_000 }, pluginConfig: { webhooks: { pollMs: 3_600_000 } } };
      const small = await startTestApp(quiet, dir);
      try {
        const sales = await createSector(small, 'Sales');
        const ticket = await contactWrites(small, { phone: '5511960000001', name: 'Disk Contact', body: 'hello', sectorId: sales });
        await small.running.relay.settled();
        const filler = openSync(join(dir, 'filler'), 'w');
        try {
          for (const block = Buffer.alloc(64 * 1024); ; ) writeSync(filler, block);
        } catch (error) {
          expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
        } finally {
          closeSync(filler);
        }

        const before = await small.snapshot();
        const refusals = [
          await small.admin.expectCode(INGEST, { input: { contact: { phone: '5511960000002', name: 'Another' }, body: big(1), sectorId: sales } }, 'STORAGE_UNAVAILABLE'),
          await small.admin.expectCode(CREATE_SECTOR, { name: 'Support' }, 'STORAGE_UNAVAILABLE'),
        ];
        for (const refusal of refusals) expect(refusal.extensions).toMatchObject({ reason: 'DISK_FULL' });
        expect(await small.snapshot()).toBe(before);
        const { ticket: read } = await small.admin.request('query($id: ID!) { ticket(id: $id) { contact { name } messages(first: 5) { totalCount } } }', { id: ticket.id });
        expect(read).toEqual({ contact: { name: 'Disk Contact' }, messages: { totalCount: 1 } });
        const degraded = await fetch(small.url.replace('/graphql', '/healthz'));
        expect(await degraded.json()).toMatchObject({ status: 'degraded', reason: 'DISK_FULL' });

        rmSync(join(dir, 'filler'));
        const healthy = await fetch(small.url.replace('/graphql', '/healthz'));
        expect(await healthy.json()).toMatchObject({ status: 'ok' });
        await small.admin.request(CREATE_SECTOR, { name: 'Support' });
      } finally {
        await small.stop();
      }
    });
  });
});

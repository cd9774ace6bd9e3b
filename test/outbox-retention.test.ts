import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeskgraphPlugin } from '../plugins/runtime/contract.js';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { withTestDatabase } from './helpers/database.js';
import { contactWrites } from './helpers/fixtures.js';

let release: () => void = () => undefined;
let blocking = false;
const handled: string[] = [];
// Holds the first event it is given while `blocking`, so its cursor stays behind.
const slow: DeskgraphPlugin = {
  name: 'slow',
  setup: (api) =>
    api.on('ticket.created', async (event) => {
      if (blocking) await new Promise<void>((resolve) => (release = resolve));
      handled.push(event.id);
    }),
};

async function idsOf(app: TestApp): Promise<number[]> {
  const rows = await withTestDatabase(app.config.databaseUrl, (db) => db.rows<{ id: number }>('SELECT id FROM outbox ORDER BY id'), { readonly: true });
  return rows.map((row) => row.id);
}

describe('outbox retention', () => {
  let app: TestApp;
  const outboxIds = () => idsOf(app);
  beforeAll(async () => {
    app = await startTestApp({ plugins: [slow], relay: { retentionMs: 0, pruneEveryMs: 0, pollMs: 20 } });
  });
  afterAll(() => app.stop());

  it('deletes only events every consumer has handled', async () => {
    await contactWrites(app, { phone: '5511955550001', body: 'handled' });
    await app.running.relay.settled();
    expect(handled).toHaveLength(1);
    // Pruning runs on the relay's poll (20 ms here): wait for it to take the handled event.
    const deadline = Date.now() + 5000;
    while ((await outboxIds()).some((id) => id <= Number(handled[0])) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await outboxIds()).filter((id) => id <= Number(handled[0]))).toEqual([]);

    blocking = true;
    await contactWrites(app, { phone: '5511955550002', body: 'held back' });
    // A deletion that must not happen cannot be waited for: give pruning ten of its 20 ms turns.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const waiting = await outboxIds();
    expect(waiting.length).toBeGreaterThan(0);
    blocking = false;
    release();
    await app.running.relay.settled();
    expect(handled).toHaveLength(2);
    expect(waiting).toContain(Number(handled[1]));
  });
});

describe('outbox retention in days (OUTBOX_RETENTION_DAYS)', () => {
  it('keeps a handled event for the retention period, then prunes it', async () => {
    const clock = testClock('2026-12-01T12:00:00Z');
    const app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 7 * 86_400 }, relay: { retentionMs: 86_400_000, pruneEveryMs: 0, pollMs: 20 } });
    try {
      const ids = () => idsOf(app);
      await contactWrites(app, { phone: '5511955560001', body: 'a day ago' });
      await app.running.relay.settled();
      const old = await ids();
      expect(old.length).toBeGreaterThan(0);
      clock.advance(86_400_000 + 60_000);
      await contactWrites(app, { phone: '5511955560002', body: 'just now' });
      await app.running.relay.settled();
      const young = (await ids()).filter((id) => !old.includes(id));
      expect(young.length).toBeGreaterThan(0);
      // The pass that removes the old events judges the young ones too, and keeps them.
      const deadline = Date.now() + 5000;
      while ((await ids()).some((id) => old.includes(id)) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await ids()).toEqual(young);
    } finally {
      await app.stop();
    }
  });
});

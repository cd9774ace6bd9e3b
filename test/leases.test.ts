import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../db/store.js';
import { engine, prepareDatabase } from './helpers/database.js';

// The rules of a lease, through the Store on the engine under test: two stores on one database stand
// for two instances. `at` is the injected clock; without it the database's clock judges.

const DURATION = 10_000;
const t0 = new Date('2026-11-30T12:00:00.000Z');
const after = (ms: number) => new Date(t0.getTime() + ms);

let dir: string;
let one: Store;
let two: Store;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deskgraph-leases-'));
  const url = await prepareDatabase(dir);
  one = await openStore({ url });
  two = await openStore({ url });
});
afterAll(async () => {
  await one.close();
  await two.close();
  rmSync(dir, { recursive: true, force: true });
});

const take = (store: Store, name: string, holder: string, at?: Date) => store.write((tx) => tx.leases.take(name, holder, DURATION, at));

describe('a lease', () => {
  it('is taken when free, renewed by its holder, refused to another while it runs, and taken over once it expired', async () => {
    expect(await take(one, 'rules', 'a', t0)).toEqual({ name: 'rules', holder: 'a', takenAt: t0, expiresAt: after(DURATION) });

    // Another instance, one millisecond before expiry: refused, and the lease is left as it was.
    expect(await take(two, 'rules', 'b', after(DURATION - 1))).toEqual({ name: 'rules', holder: 'a', takenAt: t0, expiresAt: after(DURATION) });

    // The holder renews: a new expiry, the same start.
    expect(await take(one, 'rules', 'a', after(3_000))).toEqual({ name: 'rules', holder: 'a', takenAt: t0, expiresAt: after(13_000) });
    expect(await take(two, 'rules', 'b', after(12_999))).toMatchObject({ holder: 'a' });

    // Expired: the next instance takes it, from now.
    expect(await take(two, 'rules', 'b', after(13_000))).toEqual({ name: 'rules', holder: 'b', takenAt: after(13_000), expiresAt: after(23_000) });
    // The old holder's late renewal does not take it back.
    expect(await take(one, 'rules', 'a', after(14_000))).toEqual({ name: 'rules', holder: 'b', takenAt: after(13_000), expiresAt: after(23_000) });
    expect(await one.leases.byName('rules')).toEqual({ name: 'rules', holder: 'b', takenAt: after(13_000), expiresAt: after(23_000) });
  });

  it('is released only by its holder, and then free for anyone at once', async () => {
    await take(one, 'release', 'a', t0);
    expect(await two.write((tx) => tx.leases.release('release', 'b'))).toBe(false);
    expect(await two.leases.byName('release')).toMatchObject({ holder: 'a' });
    expect(await one.write((tx) => tx.leases.release('release', 'a'))).toBe(true);
    expect(await one.leases.byName('release')).toBeNull();
    expect(await take(two, 'release', 'b', after(1))).toMatchObject({ holder: 'b', takenAt: after(1) });
  });

  it('keeps leases of different names apart', async () => {
    await take(one, 'left', 'a', t0);
    expect(await take(two, 'right', 'b', t0)).toMatchObject({ holder: 'b' });
    expect(await take(two, 'left', 'b', t0)).toMatchObject({ holder: 'a' });
  });

  it("runs on the database's clock when no instant is given", async () => {
    const before = Date.now();
    const taken = await take(one, 'clock', 'a');
    expect(taken.holder).toBe('a');
    // The test machine is the database's machine here: the expiry is the duration from about now.
    expect(taken.expiresAt.getTime() - taken.takenAt.getTime()).toBeGreaterThanOrEqual(DURATION - 1);
    expect(taken.takenAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(taken.takenAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await take(two, 'clock', 'b')).toMatchObject({ holder: 'a' });
    const renewed = await take(one, 'clock', 'a');
    expect(renewed).toMatchObject({ holder: 'a', takenAt: taken.takenAt });
    expect(renewed.expiresAt.getTime()).toBeGreaterThanOrEqual(taken.expiresAt.getTime());
  });

  it('has exactly one holder when many instances race for a free lease', async () => {
    // SQLite's busy wait blocks the thread, so two stores in one process cannot both be mid-write;
    // there one store's queue of writers races (separate processes contend on the file lock instead).
    const racers = engine === 'postgres' ? [one, two] : [one];
    for (let round = 0; round < 5; round++) {
      const name = `race-${round}`;
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => take(racers[i % racers.length]!, name, `instance-${i}`, t0)));
      const holders = new Set(answers.map((lease) => lease.holder));
      expect(holders.size).toBe(1);
      expect(await one.leases.byName(name)).toMatchObject({ holder: [...holders][0] });
    }
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../db/store.js';
import { dropDatabase, engine, prepareDatabase } from './helpers/database.js';

// PostgreSQL hands out outbox ids when a transaction inserts, not when it commits: without the
// store's advisory lock a relay reading `id > cursor` passes over an event that commits after a
// later id was read, and loses it for good. 8 writers and a polling reader, round after round:
// every event must arrive exactly once, each ticket's in the order its transactions committed.

const writers = 8;
const tickets = 40;
const rounds = 12;
const transactionsPerWriter = 30;

/** One ticket written by one transaction at a time, as the ticket's row lock does in the service. */
function ticketLocks() {
  const tails = new Map<number, Promise<void>>();
  return async <T>(ticketId: number, work: () => Promise<T>): Promise<T> => {
    const before = tails.get(ticketId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    tails.set(ticketId, before.then(() => mine));
    await before;
    try {
      return await work();
    } finally {
      release();
    }
  };
}

interface Seen {
  id: number;
  ticketId: number;
  seq: number;
}

describe.skipIf(engine !== 'postgres')('the outbox on PostgreSQL: read in commit order under concurrent writers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deskgraph-outbox-order-'));
  let store: Store;
  let accountId: number;

  beforeAll(async () => {
    store = await openStore({ url: await prepareDatabase(dir), reportError: () => undefined });
    accountId = (await store.write((tx) => tx.accounts.insert({ name: 'Outbox order', timeZone: 'UTC' }, new Date()))).id;
  });

  afterAll(async () => {
    await store?.close();
    await dropDatabase(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it(`delivers every event exactly once, in order per ticket (${rounds} rounds of ${writers} writers)`, async () => {
    const lockTicket = ticketLocks();
    const issued = new Map<number, number>(); // ticket -> last sequence number recorded
    const seen: Seen[] = [];
    let cursor = 0;
    let recorded = 0;

    async function poll(): Promise<number> {
      const batch = await store.outbox.after(cursor, 100);
      for (const event of batch) {
        seen.push({ id: event.id, ticketId: Number(event.payload['ticketId']), seq: Number(event.payload['seq']) });
        cursor = event.id;
      }
      return batch.length;
    }

    for (let round = 0; round < rounds; round++) {
      let writing = true;
      // The relay's loop: read after the cursor, move the cursor to the last event read, read again.
      const reader = (async () => {
        while (writing) if ((await poll()) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      })();
      await Promise.all(
        Array.from({ length: writers }, async (_, writer) => {
          for (let n = 0; n < transactionsPerWriter; n++) {
            const ticketId = 1 + ((writer * 7 + n * 13 + round * 5) % tickets);
            const events = 1 + ((writer + n) % 3);
            await lockTicket(ticketId, () =>
              store.write(async (tx) => {
                const first = (issued.get(ticketId) ?? 0) + 1;
                for (let seq = first; seq < first + events; seq++) {
                  await tx.record({ accountId, type: 'ticket.updated', payload: { ticketId, seq }, occurredAt: new Date() });
                }
                issued.set(ticketId, first + events - 1);
                recorded += events;
              }),
            );
          }
        }),
      );
      writing = false;
      await reader;
    }
    // Everything is committed now: one last read finds whatever the reader has not passed over.
    while ((await poll()) > 0);

    expect(recorded).toBe(rounds * writers * transactionsPerWriter * 2);
    const ids = seen.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
    const perTicket = new Map<number, number[]>();
    for (const event of seen) perTicket.set(event.ticketId, [...(perTicket.get(event.ticketId) ?? []), event.seq]);
    const lost = [...issued].flatMap(([ticketId, last]) => {
      const got = perTicket.get(ticketId) ?? [];
      return got.length === last && got.every((seq, i) => seq === i + 1) ? [] : [{ ticketId, recorded: last, received: got.length }];
    });
    expect(lost, 'tickets whose events arrived incomplete or out of order').toEqual([]);
    expect(seen.length).toBe(recorded);
    expect(await store.outbox.issuedThrough()).toBe(cursor);
  }, 120_000);
});

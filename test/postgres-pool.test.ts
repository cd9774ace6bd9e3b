import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engine } from './helpers/engine.js';
import { startTestApp, type TestApp } from './helpers/app.js';

// DATABASE_POOL_SIZE bounds the connections one instance uses at once, however many requests arrive:
// more backends than the cluster has cores only take turns (bench/RESULTS.md). A lock held on the
// count tables keeps every request's statement waiting, so the waiting backends are the pool in use;
// they name themselves, so a DBA tells them apart in pg_stat_activity.

const TICKET_COUNTS = '{ ticketCounts { waiting open closed } }';

async function waitingBackends(locker: pg.Client): Promise<number> {
  // The activity view is snapshotted once per transaction, and the locker is in one.
  await locker.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await locker.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name = 'deskgraph'",
  );
  return rows[0]!.n;
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const ends = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > ends) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** 40 requests at once while the count tables are locked: how many backends wait, then every answer. */
async function backendsUnderBurst(app: TestApp, expected: number): Promise<number> {
  const locker = new pg.Client({ connectionString: app.config.databaseUrl });
  await locker.connect();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE ticket_counts IN ACCESS EXCLUSIVE MODE');
    const answers = Promise.all(Array.from({ length: 40 }, () => app.admin.request<{ ticketCounts: { waiting: number } }>(TICKET_COUNTS)));
    await until(async () => (await waitingBackends(locker)) >= expected, `${expected} backends waiting`);
    // A pool larger than expected would have opened more by now.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const waiting = await waitingBackends(locker);
    await locker.query('ROLLBACK');
    for (const answer of await answers) expect(answer.ticketCounts.waiting).toBe(0);
    return waiting;
  } finally {
    await locker.end();
  }
}

describe.runIf(engine === 'postgres')('DATABASE_POOL_SIZE', () => {
  let small: TestApp;
  let standard: TestApp;
  beforeAll(async () => {
    [small, standard] = await Promise.all([startTestApp({ databasePoolSize: 2 }), startTestApp()]);
  }, 60_000);
  afterAll(async () => {
    await small?.stop();
    await standard?.stop();
  });

  it('keeps an instance to that many statements at once under 40 requests, and answers them all', async () => {
    expect(await backendsUnderBurst(small, 2)).toBe(2);
  });

  it('is 5 unless set', async () => {
    expect(await backendsUnderBurst(standard, 5)).toBe(5);
  });
});

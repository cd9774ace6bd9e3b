import { expect } from 'vitest';
import type { TestApp } from './app.js';
import { tablesOf } from './database.js';

/**
 * Runs `failures` (expected failures) and shows the database is as it was, row for row. The relay is
 * settled on both sides so its own cursor writes, not caused by the failures, cannot blur the picture.
 */
export async function expectUnchanged(app: TestApp, failures: () => Promise<unknown>): Promise<void> {
  await app.running.relay.settled();
  const before = await tablesOf(app.config.databaseUrl);
  await failures();
  await app.running.relay.settled();
  expect(await tablesOf(app.config.databaseUrl), 'the database changed on an expected failure').toEqual(before);
}

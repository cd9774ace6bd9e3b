import BetterSqlite3 from 'better-sqlite3';
import { expect } from 'vitest';
import type { TestApp } from './app.js';

/** Every table's rows (sorted JSON), read straight from the file; a table that differs shows in the diff by name. */
export function tablesOf(databasePath: string): Record<string, string[]> {
  const db = new BetterSqlite3(databasePath, { readonly: true });
  try {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[];
    return Object.fromEntries(names.map(({ name }) => [name, db.prepare(`SELECT * FROM "${name}"`).all().map((row) => JSON.stringify(row)).sort()]));
  } finally {
    db.close();
  }
}

/**
 * Runs `failures` (expected failures) and shows the database is as it was, row for row. The relay is
 * settled on both sides so its own cursor writes, not caused by the failures, cannot blur the picture.
 */
export async function expectUnchanged(app: TestApp, failures: () => Promise<unknown>): Promise<void> {
  await app.running.relay.settled();
  const before = tablesOf(app.config.databaseUrl);
  await failures();
  await app.running.relay.settled();
  expect(tablesOf(app.config.databaseUrl), 'the database changed on an expected failure').toEqual(before);
}

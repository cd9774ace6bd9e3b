import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { DeskgraphPlugin } from '../plugins/runtime/contract.js';
import { startDeskgraph } from '../server.js';
import { snapshotOf, testConfig } from './helpers/app.js';
import { databaseUrlOf, prepareDatabase } from './helpers/database.js';

// Its own file: Pothos keeps one schema per process, and this plugin's open field would stay in it.
const careless: DeskgraphPlugin = {
  name: 'careless',
  schema(builder) {
    builder.queryField('openDoor', (t) => t.string({ resolve: () => 'anyone may read this' }));
  },
  setup: () => undefined,
};

describe('plugin fields and auth scopes', () => {
  it('refuses to start when a plugin adds a root field without authScopes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-scopes-'));
    try {
      await prepareDatabase(dir);
      const starting = startDeskgraph(testConfig(dir, { plugins: [careless] }), { port: 0, host: '127.0.0.1', log: pino({ level: 'silent' }) });
      await expect(starting).rejects.toThrow('Root fields without authScopes: Query.openDoor');
      // It stopped after bootstrap, before listening; the database was closed and stays readable.
      expect(await snapshotOf(databaseUrlOf(dir))).toContain('admin@deskgraph.test');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

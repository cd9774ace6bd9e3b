import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset, type Dataset } from '../bench/dataset.js';
import { fullScans, planReads, type PlannedRead } from '../bench/plans.js';
import { engine } from './helpers/database.js';

// The same plan check `npm run bench:plans` runs at 1M tickets, on a smaller generated dataset.

// EXPLAIN QUERY PLAN of the SQLite reads: nothing here applies to PostgreSQL.
describe.skipIf(engine === 'postgres')('SQLite query plans', () => {
  let dir: string;
  let reads: PlannedRead[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deskgraph-plans-'));
    const path = join(dir, 'plans.sqlite');
    const dataset: Dataset = await generateDataset(path, { tickets: 20_000, contacts: 5_000, sectors: 20, agents: 200, messagesPerTicket: 2 }, 'not-a-real-hash');
    reads = await planReads(path, dataset, 3);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('query plans of every tab read', () => {
    it('never scans a whole table: every ticket read searches an index', () => {
      for (const read of reads) expect(fullScans(read), `${read.name}\n${JSON.stringify(read.statements, null, 1)}`).toEqual([]);
    });

    it('reads tab pages through covering tab indexes, one branch per sector', () => {
      const waiting = reads.find((read) => read.name === 'agent WAITING page (50)')!;
      const plan = waiting.statements[0]!.plan.join('\n');
      expect(plan.match(/SEARCH tickets USING COVERING INDEX tickets_tab_sector/g)).toHaveLength(3);
      expect(plan).toMatch(/SEARCH tickets USING COVERING INDEX tickets_tab_assignee/);
      const mine = reads.find((read) => read.name === 'agent OPEN (mine) page (50)')!;
      expect(mine.statements[0]!.plan.join('\n')).toMatch(/tickets_tab_assignee/);
      const potentials = reads.find((read) => read.name === 'potentials agent WAITING page (50)')!.statements[0]!.plan.join('\n');
      // The potentials are one more prefix of the same index (SQLite prints sector_id IS NULL as sector_id=?),
      // read with the row since no sector ties them to the account: that branch checks account_id.
      expect(potentials.match(/SEARCH tickets USING COVERING INDEX tickets_tab_sector \(status=\? AND sector_id=\?\)/g)).toHaveLength(3);
      expect(potentials.match(/SEARCH tickets USING INDEX tickets_tab_sector \(status=\? AND sector_id=\?\)/g)).toHaveLength(1);
      const admin = reads.find((read) => read.name === 'admin CLOSED page (50)')!;
      expect(admin.statements[0]!.plan.join('\n')).toMatch(/tickets_tab_account/);
    });

    it('counts from the count table by its primary key', () => {
      for (const name of ['agent three tab counts', 'admin three tab counts', 'potentials agent three tab counts', 'agent queue sizes (own sectors + 2 others)', 'admin queue sizes (20 sectors)']) {
        const counts = reads.find((read) => read.name === name)!;
      for (const statement of counts.statements) expect(statement.plan.join("\n")).toMatch(/SEARCH ticket_(counts|totals) USING/);
      }
    });
  });
});

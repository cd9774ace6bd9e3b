import BetterSqlite3 from 'better-sqlite3';
import { openStore, type Store } from '../db/store.js';
import type { TicketScope, TicketStatus } from '../db/types.js';
import type { Dataset } from './dataset.js';

// Runs the store's own tab reads on a dataset, captures the exact SQL they execute, and explains it:
// the plans are those of the real code path, not of a hand-written copy.

export interface PlannedRead {
  name: string;
  statements: { sql: string; plan: string[] }[];
  medianMs: number;
  runs: number;
}

/** Midnight UTC of the current day: the dataset's account lives in UTC. */
const today = () => new Date(new Date().setUTCHours(0, 0, 0, 0));

function workloads(dataset: Dataset): { name: string; run: (store: Store) => Promise<unknown> }[] {
  const agent: TicketScope = { kind: 'agent', accountId: dataset.accountId, userId: dataset.agent.userId, sectorIds: dataset.agent.sectorIds };
  const admin: TicketScope = { kind: 'account', accountId: dataset.accountId, userId: dataset.adminId };
  const potentials: TicketScope = { ...agent, potentials: true };
  const tab = (status: TicketStatus, assignedOnly = false, search?: string) => ({ status, assignedOnly, search });
  return [
    { name: 'agent WAITING page (50)', run: (s) => s.tickets.page(agent, tab('WAITING'), 50) },
    { name: 'agent OPEN (mine) page (50)', run: (s) => s.tickets.page(agent, tab('OPEN', true), 50) },
    { name: 'agent OPEN all page (50)', run: (s) => s.tickets.page(agent, tab('OPEN'), 50) },
    { name: 'agent CLOSED page (50)', run: (s) => s.tickets.page(agent, tab('CLOSED'), 50) },
    { name: 'agent CLOSED page 2 (cursor)', run: (s) => s.tickets.page(agent, tab('CLOSED'), 50, { lastActivityAt: Date.now() - 180 * 86_400_000, id: 500_000 }) },
    { name: 'agent CLOSED page backward (before cursor)', run: (s) => s.tickets.page(agent, tab('CLOSED'), 50, { lastActivityAt: Date.now() - 180 * 86_400_000, id: 500_000 }, 'backward') },
    { name: 'agent WAITING last page (50)', run: (s) => s.tickets.page(agent, tab('WAITING'), 50, undefined, 'backward') },
    { name: 'agent three tab counts', run: (s) => s.tickets.tabCounts(agent) },
    { name: 'potentials agent WAITING page (50)', run: (s) => s.tickets.page(potentials, tab('WAITING'), 50) },
    { name: 'potentials agent three tab counts', run: (s) => s.tickets.tabCounts(potentials) },
    { name: 'agent queue sizes (own sectors + 2 others)', run: (s) => s.tickets.waitingBySector(agent, [...dataset.agent.sectorIds, 1, 2]) },
    { name: 'admin queue sizes (20 sectors)', run: (s) => s.tickets.waitingBySector(admin, Array.from({ length: 20 }, (_, i) => i + 1)) },
    { name: 'contacts by last-interaction period', run: (s) => s.contacts.page(dataset.accountId, 'all', { lastInteractionFrom: new Date(Date.now() - 7 * 86_400_000), lastInteractionTo: new Date() }, 50) },
    { name: 'contact list (50)', run: (s) => s.contacts.page(dataset.accountId, 'all', {}, 50) },
    { name: 'agent contact list (50, contacts of visible tickets)', run: (s) => s.contacts.page(dataset.accountId, agent, {}, 50) },
    { name: 'agent CLOSED totalCount', run: (s) => s.tickets.count(agent, tab('CLOSED')) },
    { name: 'admin WAITING page (50)', run: (s) => s.tickets.page(admin, tab('WAITING'), 50) },
    { name: 'admin CLOSED page (50)', run: (s) => s.tickets.page(admin, tab('CLOSED'), 50) },
    { name: 'admin three tab counts', run: (s) => s.tickets.tabCounts(admin) },
    { name: 'agent search by contact name', run: (s) => s.tickets.page(agent, tab('CLOSED', false, 'Contact 1234 '), 50) },
    { name: 'agent search by message text', run: (s) => s.tickets.page(agent, tab('WAITING', false, 'refund'), 50) },
    { name: 'agent search by message text, count', run: (s) => s.tickets.count(agent, tab('WAITING', false, 'refund')) },
    { name: 'agent CLOSED search by message text', run: (s) => s.tickets.page(agent, tab('CLOSED', false, 'refund'), 50) },
    { name: 'agent CLOSED search by message text, count', run: (s) => s.tickets.count(agent, tab('CLOSED', false, 'refund')) },
    { name: 'agent CLOSED search by a rare message text', run: (s) => s.tickets.page(agent, tab('CLOSED', false, '#4242-'), 50) },
    { name: 'agent CLOSED search by a rare message text, count', run: (s) => s.tickets.count(agent, tab('CLOSED', false, '#4242-')) },
    { name: 'contact tickets', run: (s) => s.tickets.ofContact(agent, 1234, 20) },
    { name: 'takeNext queue head', run: (s) => s.tickets.oldestWaiting(dataset.accountId, dataset.agent.sectorIds) },
    { name: 'monitoring panel, account', run: (s) => Promise.all([s.monitoring.today({ accountId: dataset.accountId, sectorIds: 'all', channelId: null }, today()), s.monitoring.agentStatuses({ accountId: dataset.accountId, sectorIds: 'all', channelId: null })]) },
    { name: 'monitoring panel, 3 sectors', run: (s) => Promise.all([s.monitoring.today({ accountId: dataset.accountId, sectorIds: dataset.agent.sectorIds, channelId: null }, today()), s.monitoring.agentStatuses({ accountId: dataset.accountId, sectorIds: dataset.agent.sectorIds, channelId: null })]) },
  ];
}

export async function planReads(path: string, dataset: Dataset, repeat = 200): Promise<PlannedRead[]> {
  let captured: string[] = [];
  const store = await openStore({ url: path, onStatement: (sql) => captured.push(sql) });
  const explain = new BetterSqlite3(path, { readonly: true });
  try {
    const results: PlannedRead[] = [];
    for (const workload of workloads(dataset)) {
      captured = [];
      await workload.run(store);
      const statements = captured.map((sql) => ({
        sql,
        plan: (explain.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail),
      }));
      const times: number[] = [];
      // At most `repeat` runs and about two seconds per read, so a slow read cannot stall the run.
      const budgetEnds = performance.now() + 2000;
      for (let i = 0; i < repeat && (i < 3 || performance.now() < budgetEnds); i++) {
        const start = performance.now();
        await workload.run(store);
        times.push(performance.now() - start);
      }
      times.sort((a, b) => a - b);
      results.push({ name: workload.name, statements, medianMs: times[Math.floor(times.length / 2)]!, runs: times.length });
    }
    return results;
  } finally {
    explain.close();
    await store.close();
  }
}

/**
 * A plan step that reads a whole table that grows with traffic (tickets, messages, contacts, counts):
 * what no read may do. Staff tables (users, sectors) are bounded by the team's size.
 */
export function fullScans(read: PlannedRead): string[] {
  return read.statements.flatMap((statement) => statement.plan.filter((step) => /^SCAN (tickets|messages|contacts|ticket_counts|ticket_history|agent_responses|ticket_ratings)\b/.test(step)));
}

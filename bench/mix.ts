import autocannon from 'autocannon';
import BetterSqlite3 from 'better-sqlite3';
import type { Dataset } from './dataset.js';
import { load, type Measured, type Target } from './http-kit.js';

// Workload (5): what a busy console sees, 9 reads for every write. Each autocannon connection
// cycles through 10 requests: the five read workloads in turn, then one write taking turns among
// ingestMessage (a contact writes), acceptTicket (of a WAITING ticket nobody took yet) and
// closeTicket (of a ticket the agent holds, those it accepted in this run first). Every answer is
// checked, so a GraphQL error in a 200 counts as an error too.

export interface MixSide {
  reads: Target[];
  accept(ticketId: number): Target;
  close(ticketId: number): Target;
  ingest(contact: number, sectorId: number): Target;
  /** True when the answer is a success (HTTP status and, for GraphQL, no `errors`). */
  ok(status: number, body: string): boolean;
}

export interface MixResult extends Measured {
  writes: number;
}

/** The tickets the agent may accept (WAITING in their sectors) and close (OPEN, theirs), read from the file. */
export function mixPools(path: string, dataset: Dataset): { waiting: number[]; open: number[] } {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    const sectors = dataset.agent.sectorIds.join(',');
    const ids = (sql: string) => (db.prepare(sql).pluck().all() as number[]);
    return {
      waiting: ids(`SELECT id FROM tickets WHERE status = 'WAITING' AND sector_id IN (${sectors}) ORDER BY id`),
      open: ids(`SELECT id FROM tickets WHERE status = 'OPEN' AND assignee_id = ${dataset.agent.userId} ORDER BY id`),
    };
  } finally {
    db.close();
  }
}

const asRequest = (target: Target): autocannon.Request => {
  const url = new URL(target.url);
  return { method: target.method ?? 'GET', path: `${url.pathname}${url.search}`, ...(target.body ? { body: target.body } : {}), headers: target.headers ?? {} };
};

export async function runMix(side: MixSide, pools: { waiting: number[]; open: number[] }, dataset: Dataset, seconds: number): Promise<MixResult> {
  const waiting = [...pools.waiting];
  const open = [...pools.open];
  let reads = 0;
  let writes = 0;
  let written = 0;
  let failed = 0;
  type Pending = { kind: 'read' | 'ingest' | 'accept' | 'close'; ticketId?: number };
  const pendingOf = (context: object) => context as { pending?: Pending };

  const nextWrite = (): [Pending, Target] => {
    const turn = writes++ % 3;
    if (turn === 1 && waiting.length > 0) {
      const ticketId = waiting.shift()!;
      return [{ kind: 'accept', ticketId }, side.accept(ticketId)];
    }
    if (turn === 2 && open.length > 0) {
      const ticketId = open.shift()!;
      return [{ kind: 'close', ticketId }, side.close(ticketId)];
    }
    // A contact among the dataset's, into one of the agent's sectors: joins their live ticket or opens one.
    const contact = 1 + ((writes * 7919) % dataset.size.contacts);
    return [{ kind: 'ingest' }, side.ingest(contact, dataset.agent.sectorIds[writes % dataset.agent.sectorIds.length]!)];
  };

  const samples: string[] = [];
  const onResponse = (status: number, body: string, context: object) => {
    const pending = pendingOf(context).pending;
    if (!side.ok(status, body)) {
      failed++;
      // A few failures are printed, so an error count always comes with its cause.
      if (samples.length < 3) samples.push(`${pending?.kind} -> ${status} ${body.slice(0, 300)}`);
    }
    else if (pending?.kind === 'accept') open.push(pending.ticketId!);
    if (pending && pending.kind !== 'read') written++;
  };
  const read: autocannon.Request = {
    // Keeps autocannon's own fields (host, port) and replaces what the request is.
    setupRequest: (request, context) => {
      pendingOf(context).pending = { kind: 'read' };
      return { ...request, ...asRequest(side.reads[reads++ % side.reads.length]!) };
    },
    onResponse,
  };
  const write: autocannon.Request = {
    setupRequest: (request, context) => {
      const [pending, target] = nextWrite();
      pendingOf(context).pending = pending;
      return { ...request, ...asRequest(target) };
    },
    onResponse,
  };
  const measured = await load(side.reads[0]!, seconds, [...Array.from({ length: 9 }, () => read), write]);
  for (const sample of samples) console.error(`mix error: ${sample}`);
  // Non-2xx answers are already among `failed`; autocannon's socket errors and timeouts are not.
  return { ...measured, errors: failed + measured.errors - measured.non2xx, writes: written / seconds };
}

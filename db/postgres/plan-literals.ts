import { sql, type SQL } from 'drizzle-orm';
import type { TicketStatus } from '../types.js';

// A named statement keeps one generic plan only while it costs no more than the custom plans of its first
// runs. A bound status or LIMIT leaves the generic plan guessing a third of the table and a tenth of the
// rows, so a tab page was planned anew on every run. The values that decide a plan (a tab's status, a
// page's row count) are written into the text; ids stay parameters.

const statuses: ReadonlySet<string> = new Set<TicketStatus>(['WAITING', 'OPEN', 'CLOSED']);

/** A ticket status as a SQL literal. */
export function statusLiteral(status: TicketStatus): SQL {
  if (!statuses.has(status)) throw new Error(`Not a ticket status: ${String(status)}`);
  return sql.raw(`'${status}'`);
}

/** A row count (a LIMIT) as a SQL literal. */
export function rowCountLiteral(count: number): SQL {
  if (!Number.isSafeInteger(count) || count < 0) throw new Error(`Not a row count: ${count}`);
  return sql.raw(String(count));
}

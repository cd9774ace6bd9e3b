import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { rowCountLiteral, statusLiteral } from '../db/postgres/plan-literals.js';
import type { TicketStatus } from '../db/types.js';

// Values written into a statement's text are never a client's text: only the three statuses and whole
// row counts pass, anything else stops the statement before it is sent.

const rendered = (sql: ReturnType<typeof statusLiteral>) => new PgDialect().sqlToQuery(sql);

describe('values written into PostgreSQL statements (db/postgres/plan-literals.ts)', () => {
  it('writes the three statuses and whole row counts, with no parameter', () => {
    for (const status of ['WAITING', 'OPEN', 'CLOSED'] as const) expect(rendered(statusLiteral(status))).toEqual({ sql: `'${status}'`, params: [] });
    expect(rendered(rowCountLiteral(51))).toEqual({ sql: '51', params: [] });
    expect(rendered(rowCountLiteral(0))).toEqual({ sql: '0', params: [] });
  });

  it('refuses anything else', () => {
    for (const text of ["WAITING' OR '1'='1", 'waiting', '']) expect(() => statusLiteral(text as TicketStatus)).toThrow(/Not a ticket status/);
    for (const count of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) expect(() => rowCountLiteral(count)).toThrow(/Not a row count/);
  });
});

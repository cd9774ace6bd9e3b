import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { positionalDecoderOf } from '../../row-decoder.js';

// Wide joined reads (a tab page: ticket, contact, sector, last message) come back as one JSON value:
// PostgreSQL sends one field and JSON.parse builds the rows natively, where column-by-column mapping of
// some fifty text fields per row is what the server spent its time on. Each row is a positional array:
// keyed objects repeated every key on every row, half the text to build, send and parse. Timestamps go
// as epoch seconds (a float, milliseconds in its fraction): a number becomes a Date several times faster
// than an ISO string is parsed, and date_part's float costs PostgreSQL less than extract's numeric.

const jsonRows = new WeakMap<PgTable, SQL>();

/** The table's columns in one fixed order: drizzle's key for each, and whether it is a timestamp. */
const columnsOf = (table: PgTable) => Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: column.name, timestamp: column.columnType === 'PgTimestamp' }));

/**
 * The table's row as a JSON array of its columns in `columnsOf` order, or null when the (outer-joined) row
 * is absent. Rendered once per table into one raw chunk (names from our own table definitions): built from
 * a chunk per column, drizzle walked some hundred chunks per page statement on every request.
 */
export function jsonRowOf(table: PgTable): SQL {
  let rendered = jsonRows.get(table);
  if (!rendered) {
    const qualified = (name: string) => `"${getTableName(table)}"."${name}"`;
    const values = columnsOf(table).map((column) => (column.timestamp ? `date_part('epoch', ${qualified(column.name)})` : qualified(column.name)));
    rendered = sql.raw(`CASE WHEN ${qualified('id')} IS NULL THEN NULL ELSE json_build_array(${values.join(', ')}) END`);
    jsonRows.set(table, rendered);
  }
  return rendered;
}

/** Turns a row read through `jsonRowOf` back into what drizzle's select gives: keyed, Dates where the table has timestamps. */
export function rowDecoderOf<Row>(table: PgTable): (json: unknown[] | null) => Row | null {
  const decode = positionalDecoderOf<Row>(columnsOf(table).map(({ key, timestamp }) => ({ key, map: timestamp ? (value: unknown) => new Date(Math.round((value as number) * 1000)) : null })));
  return (json) => (json === null ? null : decode(json));
}

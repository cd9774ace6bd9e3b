import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { positionalDecoderOf } from '../../row-decoder.js';

// Wide joined reads (a tab page: ticket, contact, sector, last message) come back as one JSON value:
// PostgreSQL sends one field and JSON.parse builds the rows natively, where column-by-column mapping of
// some fifty text fields per row is what the server spent its time on. Each row is a positional array:
// keyed objects repeated every key on every row, half the text to build, send and parse. Timestamps go
// as epoch seconds (a float, milliseconds in its fraction): a number becomes a Date several times faster
// than an ISO string is parsed, and date_part's float costs PostgreSQL less than extract's numeric.

type Columns = Record<string, PgColumn>;

const jsonValues = new WeakMap<Columns, string>();

/** The columns in one fixed order: drizzle's key for each, and whether it is a timestamp. */
const columnsOf = (columns: Columns) => Object.entries(columns).map(([key, column]) => ({ key, name: column.name, timestamp: column.columnType === 'PgTimestamp' }));

/**
 * The columns' values, comma-separated in `columnsOf` order, as json_build_array takes them. Rendered once
 * per column set into one raw chunk (names from our own table definitions): built from a chunk per
 * column, drizzle walked some hundred chunks per page statement on every request.
 */
function jsonValuesOf(table: PgTable, columns: Columns): string {
  let rendered = jsonValues.get(columns);
  if (!rendered) {
    const qualified = (name: string) => `"${getTableName(table)}"."${name}"`;
    rendered = columnsOf(columns)
      .map((column) => (column.timestamp ? `date_part('epoch', ${qualified(column.name)})` : qualified(column.name)))
      .join(', ');
    jsonValues.set(columns, rendered);
  }
  return rendered;
}

/** The table's row (or these of its columns) as a JSON array, or null when the (outer-joined) row is absent. */
export function jsonRowOf(table: PgTable, columns: Columns = getTableColumns(table)): SQL {
  return sql.raw(`CASE WHEN "${getTableName(table)}"."id" IS NULL THEN NULL ELSE json_build_array(${jsonValuesOf(table, columns)}) END`);
}

/** The table's columns with these keys, in the table's order: build it once and keep it (renderings are cached per object). */
export function columnsNamed(table: PgTable, keys: readonly string[]): Columns {
  return Object.fromEntries(Object.entries(getTableColumns(table)).filter(([key]) => keys.includes(key)));
}

/** These columns of the row, then `extra` values, as one JSON array (`rowDecoderOf` with the same columns and extra keys reads it). */
export function jsonColumnsOf(table: PgTable, columns: Columns, extra: readonly SQL[]): SQL {
  return sql`json_build_array(${sql.raw(jsonValuesOf(table, columns))}, ${sql.join([...extra], sql`, `)})`;
}

/**
 * Turns a row read through `jsonRowOf` (or `jsonColumnsOf`) back into what drizzle's select gives: keyed,
 * Dates where the table has timestamps; `extraKeys` name the values after the columns, used as read.
 */
export function rowDecoderOf<Row>(table: PgTable, columns: Columns = getTableColumns(table), extraKeys: readonly string[] = []): (json: unknown[] | null) => Row | null {
  const decode = positionalDecoderOf<Row>([
    ...columnsOf(columns).map(({ key, timestamp }) => ({ key, map: timestamp ? (value: unknown) => new Date(Math.round((value as number) * 1000)) : null })),
    ...extraKeys.map((key) => ({ key, map: null })),
  ]);
  return (json) => (json === null ? null : decode(json));
}

import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

// Wide joined reads (a tab page: ticket, contact, sector, last message) come back as one JSON value:
// PostgreSQL sends one field and JSON.parse builds the rows natively, where column-by-column mapping of
// some fifty text fields per row is what the server spent its time on.

const jsonRows = new WeakMap<PgTable, SQL>();

/**
 * The table's row as a JSON object keyed as drizzle keys it, or null when the (outer-joined) row is absent.
 * Rendered once per table into one raw chunk (names from our own table definitions): built from a chunk per
 * column, drizzle walked some hundred chunks per page statement on every request.
 */
export function jsonRowOf(table: PgTable): SQL {
  let rendered = jsonRows.get(table);
  if (!rendered) {
    const qualified = (name: string) => `"${getTableName(table)}"."${name}"`;
    const fields = Object.entries(getTableColumns(table)).map(([key, column]) => `'${key}', ${qualified(column.name)}`);
    rendered = sql.raw(`CASE WHEN ${qualified('id')} IS NULL THEN NULL ELSE json_build_object(${fields.join(', ')}) END`);
    jsonRows.set(table, rendered);
  }
  return rendered;
}

/** Turns a row read through `jsonRowOf` back into what drizzle's select gives: Dates where the table has timestamps. */
export function rowDecoderOf<Row>(table: PgTable): (json: Record<string, unknown> | null) => Row | null {
  const timestamps = Object.entries(getTableColumns(table))
    .filter(([, column]) => column.columnType === 'PgTimestamp')
    .map(([key]) => key);
  return (json) => {
    if (json === null) return null;
    for (const key of timestamps) {
      const value = json[key];
      if (typeof value === 'string') json[key] = new Date(value);
    }
    return json as Row;
  };
}

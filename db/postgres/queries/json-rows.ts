import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';

// Wide joined reads (a tab page: ticket, contact, sector, last message) come back as one JSON value:
// PostgreSQL sends one field and JSON.parse builds the rows natively, where column-by-column mapping of
// some fifty text fields per row is what the server spent its time on.

/** The table's row as a JSON object keyed as drizzle keys it, or null when the (outer-joined) row is absent. */
export function jsonRowOf(table: PgTable): SQL {
  const columns = Object.entries(getTableColumns(table));
  const qualified = (name: string) => sql.raw(`"${getTableName(table)}"."${name}"`);
  const fields = sql.join(
    columns.map(([key, column]) => sql`${sql.raw(`'${key}'`)}, ${qualified(column.name)}`),
    sql`, `,
  );
  return sql`CASE WHEN ${qualified('id')} IS NULL THEN NULL ELSE json_build_object(${fields}) END`;
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

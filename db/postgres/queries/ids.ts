import { sql, type Placeholder, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PageDirection } from '../../types.js';

// Ids from clients (global ids, cursors) reach 15-16 digits, past the integer columns' range: bound
// as an int4 parameter PostgreSQL fails the query (22003), where SQLite found nothing. Bound as bigint
// they compare with the integer columns through the same indexes (int4/int8 share an operator family).

/** The column equals the id (or the placeholder of a statement compiled once). */
export function sameId(column: SQLWrapper, id: number | Placeholder): SQL {
  return sql`${column} = ${id}::bigint`;
}

/** The column is one of the ids (or the placeholder of a statement compiled once): one array parameter, whatever the list's length. */
export function anyId(column: SQLWrapper, ids: readonly number[] | Placeholder): SQL {
  return sql`${column} = ANY(${Array.isArray(ids) ? idArray(ids) : sql`${ids}::bigint[]`})`;
}

/** The ids as one bigint[] parameter. */
export function idArray(ids: readonly number[]): SQL {
  return sql`${sql.param([...ids])}::bigint[]`;
}

/** The cursor condition on a descending id: older than it forward, newer backward (db/sqlite/pages.ts' beyond). */
export function beyondId(column: SQLWrapper, cursor: number | undefined, direction: PageDirection = 'forward'): SQL | undefined {
  if (cursor === undefined) return undefined;
  return direction === 'forward' ? sql`${column} < ${cursor}::bigint` : sql`${column} > ${cursor}::bigint`;
}

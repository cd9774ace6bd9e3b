import { sql, type SQL, type SQLWrapper } from 'drizzle-orm';

// Text from clients compared here. PostgreSQL text holds no NUL, and a bound value holding one fails
// the query (22021) where SQLite found nothing: such a value equals nothing stored.

const unstorable = (value: string): boolean => value.includes('\u0000');

/** The column equals the value. */
export function sameText(column: SQLWrapper, value: string): SQL {
  return unstorable(value) ? sql`false` : sql`${column} = ${value}`;
}

/** The column equals the value without case, by the expression the lower(name) unique indexes hold, so the two always agree. */
export function sameName(column: SQLWrapper, value: string): SQL {
  return unstorable(value) ? sql`false` : sql`lower(${column}) = lower(${value})`;
}

/** Names in code-point order, as SQLite's BINARY collation sorts them, whatever the cluster's locale. */
export const byCodePoint = (column: SQLWrapper): SQL => sql`${column} COLLATE "C"`;

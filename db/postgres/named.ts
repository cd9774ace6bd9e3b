import { createHash } from 'node:crypto';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { PgDb } from './client.js';

// The reads every request makes run as named statements, named after their text: each pooled
// connection parses them once and PostgreSQL may keep their plans, where an unnamed statement is
// parsed and planned anew each time. Only reads whose texts come in few shapes are named, since a
// connection keeps every statement it was given a name for.

const dialect = new PgDialect();
const names = new Map<string, string>();

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `hot_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

interface Preparable<R> {
  toSQL(): { sql: string };
  prepare(name: string): { execute(): Promise<R> };
}

/** A drizzle select run as a named statement; rows mapped as drizzle maps them. */
export function namedSelect<R>(query: Preparable<R>): Promise<R> {
  return query.prepare(nameOf(query.toSQL().sql)).execute();
}

/** A hand-written read run as a named statement: its rows as PostgreSQL returns them. */
export async function namedRows<Row>(db: PgDb, query: SQL): Promise<Row[]> {
  const compiled = dialect.sqlToQuery(query);
  const result = (await db._.session.prepareQuery(compiled, undefined, nameOf(compiled.sql), false).execute()) as { rows: Row[] };
  return result.rows;
}

import { createHash } from 'node:crypto';
import type { Query, SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { argsKey } from '../args-key.js';
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

// Renderings differ by viewer (the scope's ids are in their params): a bound, not a working size.
const maxRenderings = 5000;
const renderings = new Map<Function, Map<string, Query>>();
let renderingCount = 0;

/**
 * A hand-written read run as a named statement, its rows as PostgreSQL returns them. `compose(...args)` is
 * rendered once per distinct args (compared as JSON, so compose must depend on nothing else), as SQLite's
 * db/sqlite/prepared.ts does: building a page statement walked its every chunk through drizzle per request.
 * `values` fill its sql.placeholder()s.
 */
export async function namedRows<A extends unknown[]>(db: PgDb, compose: (...args: A) => SQL, args: A, values?: Record<string, unknown>): Promise<unknown[]> {
  let ofCompose = renderings.get(compose);
  if (!ofCompose) renderings.set(compose, (ofCompose = new Map()));
  const key = argsKey(args);
  let compiled = ofCompose.get(key);
  if (!compiled) {
    if (renderingCount >= maxRenderings) {
      for (const map of renderings.values()) map.clear();
      renderingCount = 0;
    }
    compiled = dialect.sqlToQuery(compose(...args));
    ofCompose.set(key, compiled);
    renderingCount += 1;
  }
  const result = (await db._.session.prepareQuery(compiled, undefined, nameOf(compiled.sql), false).execute(values)) as { rows: unknown[] };
  return result.rows;
}

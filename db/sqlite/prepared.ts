import type BetterSqlite3 from 'better-sqlite3';
import { is, Placeholder, type SQL } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { argsKey } from '../args-key.js';
import type { SqliteDb } from './client.js';

// The reads every request makes (viewer, tab page, counts, nested loaders) skip drizzle's query
// builder, per-call prepare and row mapping, which took ~40% of a tab page's CPU (bench/RESULTS.md).

const dialect = new SQLiteSyncDialect();
// Texts differ by shape (an agent's sector count), renderings by viewer: bounds, not working sizes.
const maxStatements = 500;
const maxRenderings = 5000;

type Statement = BetterSqlite3.Statement<unknown[], unknown[]>;
interface Rendering {
  text: string;
  params: unknown[];
  /** Where the sql.placeholder()s sit in params, filled on each call. */
  slots: [index: number, name: string][];
}

export interface Prepared {
  /**
   * Rows of a hand-written statement as arrays, in column order: better-sqlite3 builds a keyed
   * object per row at ~3x the cost, and db/sqlite/rows.ts maps arrays into the plain shapes anyway.
   */
  rows(text: string, ...params: unknown[]): unknown[][];
  /** The first column of the first row, for counts: 0 when there is no row or it is NULL (an empty sum). */
  count(text: string, ...params: unknown[]): number;
  /**
   * Rows of SQL composed with drizzle (the visibility rule of db/sqlite/scope.ts): `compose(...args)` is
   * rendered once per distinct args (compared as JSON, so compose must depend on nothing else).
   */
  rowsOf<A extends unknown[]>(compose: (...args: A) => SQL, args: A, binding?: Binding): unknown[][];
  countOf<A extends unknown[]>(compose: (...args: A) => SQL, args: A, binding?: Binding): number;
  /** The first column of the first row, parsed as JSON: for statements that build their rows in SQLite (json_group_array). */
  jsonOf<A extends unknown[]>(compose: (...args: A) => SQL, args: A, binding?: Binding): unknown;
}

export interface Binding {
  /** Fill the sql.placeholder()s, e.g. an id list that changes on every call. */
  values?: Record<string, unknown>;
  /**
   * Write the args into the SQL text instead of binding them: with STAT4 statistics SQLite re-plans,
   * on every run, a statement whose bound values feed an index choice (tab branches, counts; ~50 us a
   * page). Only for numbers, dates and enums: user text stays bound (a placeholder, or no inlining).
   */
  inline?: boolean;
}

const byConnection = new WeakMap<SqliteDb, Prepared>();

/** Inlined args hold no user text: strings must be enum words ('WAITING', 'agent' and the like). */
function assertInlinable(value: unknown): void {
  if (typeof value === 'string' && !/^[A-Za-z_]{1,32}$/.test(value)) throw new Error('Only numbers, dates and enums are written into SQL text');
  if (value !== null && typeof value === 'object') for (const item of Object.values(value)) assertInlinable(item);
}

/** One statement per SQL text, prepared on first use and kept for the connection's life. */
export function preparedOn(db: SqliteDb): Prepared {
  const known = byConnection.get(db);
  if (known) return known;
  const statements = new Map<string, Statement>();
  const renderings = new Map<Function, Map<string, Rendering>>();
  let renderingCount = 0;

  const statement = (text: string): Statement => {
    let found = statements.get(text);
    if (!found) {
      if (statements.size >= maxStatements) statements.clear();
      found = db.$client.prepare<unknown[], unknown[]>(text).raw(true);
      statements.set(text, found);
    }
    return found;
  };

  function render<A extends unknown[]>(compose: (...args: A) => SQL, args: A, inline: boolean): Rendering {
    let ofCompose = renderings.get(compose);
    if (!ofCompose) renderings.set(compose, (ofCompose = new Map()));
    const key = inline ? `inline ${argsKey(args)}` : argsKey(args);
    let found = ofCompose.get(key);
    if (!found) {
      if (renderingCount >= maxRenderings) {
        for (const map of renderings.values()) map.clear();
        renderingCount = 0;
      }
      if (inline) assertInlinable(args);
      const query = compose(...args);
      const { sql, params } = dialect.sqlToQuery(inline ? query.inlineParams() : query);
      const slots = params.flatMap((param, index): [number, string][] => (is(param, Placeholder) ? [[index, param.name]] : []));
      found = { text: sql, params, slots };
      ofCompose.set(key, found);
      renderingCount += 1;
    }
    return found;
  }

  function paramsOf(rendering: Rendering, values: Record<string, unknown> | undefined): unknown[] {
    if (rendering.slots.length === 0) return rendering.params;
    const params = [...rendering.params];
    for (const [index, name] of rendering.slots) {
      if (!values || !(name in values)) throw new Error(`No value for placeholder "${name}"`);
      params[index] = values[name];
    }
    return params;
  }

  const prepared: Prepared = {
    rows: (text, ...params) => statement(text).all(...params),
    count: (text, ...params) => (statement(text).get(...params)?.[0] as number | null | undefined) ?? 0,
    rowsOf(compose, args, binding = {}) {
      const rendering = render(compose, args, binding.inline ?? false);
      return statement(rendering.text).all(...paramsOf(rendering, binding.values));
    },
    countOf(compose, args, binding = {}) {
      const rendering = render(compose, args, binding.inline ?? false);
      return (statement(rendering.text).get(...paramsOf(rendering, binding.values))?.[0] as number | null | undefined) ?? 0;
    },
    jsonOf(compose, args, binding = {}) {
      const rendering = render(compose, args, binding.inline ?? false);
      const text = statement(rendering.text).get(...paramsOf(rendering, binding.values))?.[0] as string | null | undefined;
      return text === null || text === undefined ? null : JSON.parse(text);
    },
  };
  byConnection.set(db, prepared);
  return prepared;
}

/**
 * An id list as one bound value, for `IN (SELECT value FROM json_each(?))`: one statement serves any
 * length. Beside it `+account_id = ?` stays a guard: the ids drive, and a bound value the planner
 * weighs (an indexed column) would make SQLite re-plan the statement on every run (STAT4).
 */
export const idList = (ids: readonly number[]): string => JSON.stringify(ids);

import { sql, type SQL } from 'drizzle-orm';

// Free text from clients becomes SQL here and nowhere else: bound as values, never spliced.
//
// The rules, which test/search-property.test.ts checks against a plain-TypeScript model (the same as SQLite's):
// - contains (3+ characters, trigram index): the term, case-folded as JavaScript's toLowerCase() does,
//   occurs in the text;
// - startsWith (shorter terms) and contains outside the index: ASCII letters compare without case.
// PostgreSQL text holds neither NUL nor lone surrogates, so a term holding one matches nothing stored.

/** Characters as people count them: code points, so an emoji is one. */
export const characterCount = (text: string): number => [...text].length;

/** SQLite's lower(), which the shorter rules keep: ASCII letters only. */
export const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/** What no PostgreSQL text can hold (a lone surrogate would reach the server as U+FFFD). */
const unstorable = /[\u0000\p{Cs}]/u;

/** The column with ASCII letters lower-cased and nothing else, as SQLite's lower() does. */
const asciiLowered = (column: SQL): SQL => sql`translate(${column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;

/** The expression the trigram indexes hold (migration ticket_counts_and_search): ICU's root lower() folds as toLowerCase(). */
const unicodeLowered = (column: SQL): SQL => sql`lower(${column} COLLATE "und-x-icu")`;

/** The term as a LIKE pattern matching it literally anywhere: %, _ and the escape \ (PostgreSQL's default) escaped. */
const containsPattern = (term: string): string => `%${term.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;

/** The column holds the term anywhere, ASCII letters without case. */
export function containsText(column: SQL, term: string): SQL {
  if (unstorable.test(term)) return sql`false`;
  return sql`strpos(${asciiLowered(column)}, ${asciiLower(term)}) > 0`;
}

/** The column starts with the term, ASCII letters without case. */
export function startsWithText(column: SQL, term: string): SQL {
  if (unstorable.test(term)) return sql`false`;
  return sql`starts_with(${asciiLowered(column)}, ${asciiLower(term)})`;
}

/** The column holds the term (3+ characters) anywhere, case-folded: a LIKE the column's trigram index answers. */
export function holdsText(column: SQL, term: string): SQL {
  if (unstorable.test(term)) return sql`false`;
  return sql`${unicodeLowered(column)} LIKE ${containsPattern(term.toLowerCase())}`;
}

/** Ids of `table` where any of `columns` (each with a trigram index) holds the term: for `id IN (...)`. */
export function trigramMatches(table: string, columns: readonly string[], term: string): SQL {
  const holds = sql.join(columns.map((column) => holdsText(sql`${sql.identifier(column)}`, term)), sql` OR `);
  return sql`SELECT id FROM ${sql.identifier(table)} WHERE ${holds}`;
}

import { sql, type SQL } from 'drizzle-orm';

// Free text from clients becomes SQL here and nowhere else: bound as values, never spliced into
// a query language (FTS5 reads a NUL as the end of its query and answered "unterminated string").
//
// The rules, which test/search-property.test.ts checks against a plain-TypeScript model:
// - contains (3+ characters, trigram index): the term, case-folded, occurs in the text;
// - startsWith (shorter terms) and contains outside the index: ASCII letters compare without case
//   (SQLite's lower() and LIKE fold nothing else).

/** Characters as people count them: code points, so an emoji is one (FTS5 trigrams count so too). */
export const characterCount = (text: string): number => [...text].length;

/** SQLite's lower(): ASCII letters only. */
export const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());

/** What FTS5 cannot take inside a quoted phrase. */
const unphrasable = /\u0000/;

/** A quoted FTS5 phrase matching the text literally (operators, quotes, NEAR, * and ^ included). */
export function ftsPhraseOf(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

/** The term with a trigram-searchable phrase: itself, or (when it holds a NUL) its longest NUL-free piece of 3+ characters. */
function indexablePieceOf(term: string): string | null {
  if (!unphrasable.test(term)) return term;
  const longest = term.split(unphrasable).reduce((best, piece) => (characterCount(piece) > characterCount(best) ? piece : best), '');
  return characterCount(longest) >= 3 ? longest : null;
}

/** The column holds the term anywhere, ASCII letters without case. */
export function containsText(column: SQL, term: string): SQL {
  return sql`instr(lower(${column}), ${asciiLower(term)}) > 0`;
}

/** The column starts with the term, ASCII letters without case. */
export function startsWithText(column: SQL, term: string): SQL {
  return sql`instr(lower(${column}), ${asciiLower(term)}) = 1`;
}

/**
 * Rowids of an FTS5 trigram table (content=`contentTable`, rowid = its id) whose text holds the
 * term (3+ characters): a phrase match, and for a term FTS5 cannot phrase, an exact check of
 * `columns` over the candidates of its longest piece (a full scan when no piece is 3 long).
 */
export function trigramMatches(ftsTable: string, contentTable: string, columns: readonly string[], term: string): SQL {
  const piece = indexablePieceOf(term);
  if (piece === term) return sql`SELECT rowid FROM ${sql.identifier(ftsTable)} WHERE ${sql.identifier(ftsTable)} MATCH ${ftsPhraseOf(term)}`;
  const exact = sql.join(columns.map((column) => containsText(sql`${sql.identifier(column)}`, term)), sql` OR `);
  const candidates = piece === null ? sql`` : sql` AND id IN (SELECT rowid FROM ${sql.identifier(ftsTable)} WHERE ${sql.identifier(ftsTable)} MATCH ${ftsPhraseOf(piece)})`;
  return sql`SELECT id FROM ${sql.identifier(contentTable)} WHERE (${exact})${candidates}`;
}

/**
 * Terms a searched tab may test ticket by ticket (db/pages.ts' searchWalkLength): 3+ characters, all ASCII
 * and no NUL. Any other keeps the index read, which folds case as FTS5 does outside ASCII too.
 */
export const isWalkableTerm = (term: string): boolean => /^[\u0001-\u007f]{3,}$/.test(term);

/**
 * Outside ASCII, the characters FTS5's trigram tokenizer folds to ASCII letters (KELVIN SIGN to k, LONG S
 * to s): found by asking the tokenizer about every code point.
 */
const foldedToAscii = ['\u212a', '\u017f'];

/**
 * One row holds the walkable term in one of `columns` as its FTS5 trigram table (rowid = the row's id)
 * would find it. SQLite's lower() folds ASCII letters as the tokenizer does, so instr() decides, unless
 * the text holds a character the tokenizer folds to ASCII: then FTS5 is asked about this one rowid.
 */
export function rowHoldsTerm(ftsTable: string, rowid: SQL, columns: readonly SQL[], term: string): SQL {
  const found = columns.map((column) => sql`instr(lower(${column}), ${asciiLower(term)}) > 0`);
  const folding = columns.flatMap((column) => foldedToAscii.map((character) => sql`instr(${column}, ${character}) > 0`));
  const table = sql.identifier(ftsTable);
  return sql`(${sql.join(found, sql` OR `)} OR ((${sql.join(folding, sql` OR `)})
    AND ${rowid} IN (SELECT rowid FROM ${table} WHERE ${table} MATCH ${ftsPhraseOf(term)} AND rowid = ${rowid})))`;
}


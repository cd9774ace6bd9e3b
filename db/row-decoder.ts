// Rows read as positional arrays (the hot reads of both engines) become keyed objects here, one object
// literal per table: a generic loop of keyed stores made tab pages ~6% slower (bench/RESULTS.md).

export interface DecodedField {
  /** The row object's key (drizzle's name for the column). */
  key: string;
  /** How a non-null value becomes the row's value; null when it is used as read. */
  map: ((value: unknown) => unknown) | null;
}

/** A decoder from a positional row (`fields` in order) to a keyed object; null values stay null. */
export function positionalDecoderOf<T>(fields: readonly DecodedField[]): (row: readonly unknown[]) => T {
  const maps = fields.map((field) => field.map);
  // Keys come from our own table definitions; JSON.stringify quotes them for the generated source.
  const entries = fields.map(({ key, map }, i) => `${JSON.stringify(key)}: ${map ? `row[${i}] === null ? null : maps[${i}](row[${i}])` : `row[${i}]`}`);
  return new Function('maps', `return (row) => ({ ${entries.join(', ')} });`)(maps) as (row: readonly unknown[]) => T;
}

import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { rowDecoderOf } from '../db/postgres/queries/json-rows.js';
import { contacts } from '../db/postgres/tables/index.js';
import { positionalDecoderOf } from '../db/row-decoder.js';

// The hot reads of both engines read rows as arrays; one generated object literal per table turns them
// into the keyed rows the rest of the service reads.

describe('positional row decoders (db/row-decoder.ts)', () => {
  it('keys each value by its position, maps the non-null ones and leaves null as null', () => {
    const decode = positionalDecoderOf<Record<string, unknown>>([
      { key: 'id', map: null },
      { key: 'at', map: (value) => new Date(value as number) },
      { key: 'quoted "key"', map: (value) => String(value).toUpperCase() },
    ]);
    expect(decode([7, 86_400_000, 'x'])).toEqual({ id: 7, at: new Date('1970-01-02T00:00:00.000Z'), 'quoted "key"': 'X' });
    expect(decode([null, null, null])).toEqual({ id: null, at: null, 'quoted "key"': null });
  });

  it("decodes PostgreSQL's JSON rows to every column of the table, timestamps as Dates, an absent row as null", () => {
    const decode = rowDecoderOf<Record<string, unknown>>(contacts);
    const keys = Object.keys(getTableColumns(contacts));
    // PostgreSQL sends an instant as date_part('epoch', ...): seconds, milliseconds in the fraction.
    const json = keys.map((key) => (key === 'createdAt' ? 1_796_069_580.123 : key === 'id' ? 42 : null));
    const row = decode(json)!;
    expect(Object.keys(row)).toEqual(keys);
    expect(row['id']).toBe(42);
    expect(row['createdAt']).toEqual(new Date('2026-11-30T20:13:00.123Z'));
    expect(row['erasedAt']).toBeNull();
    expect(decode(null)).toBeNull();
  });

  it('turns epoch seconds back into the exact millisecond, for every fraction, from year 1 to 9999', () => {
    const decode = rowDecoderOf<Record<string, unknown>>(contacts);
    const at = Object.keys(getTableColumns(contacts)).indexOf('createdAt');
    const instants = ['0001-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '1970-01-01T00:00:00Z', '2026-11-30T20:13:00Z', '9999-12-31T23:59:59Z'];
    for (const whole of instants.map((iso) => Date.parse(iso))) {
      for (let ms = 0; ms < 1000; ms++) {
        const json: unknown[] = Object.keys(getTableColumns(contacts)).map(() => null);
        // What PostgreSQL prints for the float, read back by JSON.parse: the shortest exact digits.
        json[at] = JSON.parse(String((whole + ms) / 1000));
        expect((decode(json)!['createdAt'] as Date).getTime()).toBe(whole + ms);
      }
    }
  });
});

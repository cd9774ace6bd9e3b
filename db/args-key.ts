/**
 * Args of a statement's compose function as a cache key (db/sqlite/prepared.ts, db/postgres/named.ts): JSON,
 * with undefined kept apart from null, which compose may read differently.
 */
export const argsKey = (args: readonly unknown[]): string => JSON.stringify(args, (_key, value: unknown) => (value === undefined ? '\u0000undefined' : value));

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../db/store.js';

// The layers of DESIGN.md, read from the import statements: data flows schema -> resolvers -> db,
// and plugins see the public API only.

const root = resolve(import.meta.dirname, '..');

function sourcesUnder(folder: string): string[] {
  return readdirSync(join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => join(folder, file));
}

/** Every module a file imports (static, type-only or dynamic): packages by name, our files by path from the root. */
function importsOf(file: string): string[] {
  const source = readFileSync(join(root, file), 'utf8');
  const pattern = /(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  const specifiers = [...source.matchAll(pattern)].map((m) => (m[1] ?? m[2] ?? m[3])!);
  return specifiers.map((spec) => (spec.startsWith('.') ? relative(root, resolve(root, dirname(file), spec)) : spec));
}

function offenders(folder: string, forbidden: (target: string) => boolean): string[] {
  return sourcesUnder(folder).flatMap((file) => importsOf(file).filter(forbidden).map((target) => `${file} -> ${target}`));
}

const under = (...folders: string[]) => (target: string) => folders.some((folder) => target === folder || target.startsWith(`${folder}/`));
const driver = (target: string) => /^(drizzle-orm|drizzle-kit|better-sqlite3|pg|postgres)(\/|$)/.test(target);

describe('layer boundaries', () => {
  it('sees the imports it checks (the reader is not blind)', () => {
    expect(importsOf('db/sqlite/client.ts')).toEqual(expect.arrayContaining(['better-sqlite3', 'db/sqlite/tables/index.js']));
    expect(importsOf('server.ts')).toContain('db/store.js');
    expect(importsOf('schema/index.ts')).toContain('schema/types/user.js');
    expect(importsOf('plugins/runtime/loader.ts')).toContain('plugins/chatwoot/index.js');
  });

  it('db/ imports nothing from schema/, resolvers/, plugins/ or http/', () => {
    expect(offenders('db', under('schema', 'resolvers', 'plugins', 'http', 'server.js'))).toEqual([]);
  });

  it('resolvers/ reach storage only through db/store.ts and db/types.ts: no drizzle, driver, engine folder or schema/', () => {
    const allowedDb = new Set(['db/store.js', 'db/types.js']);
    expect(offenders('resolvers', (target) => driver(target) || under('schema', 'plugins', 'http')(target) || (under('db')(target) && !allowedDb.has(target)))).toEqual([]);
  });

  it('schema/ and http/ use no drizzle, driver or engine folder', () => {
    expect([...offenders('schema', (t) => driver(t) || under('db/sqlite')(t)), ...offenders('http', (t) => driver(t) || under('db/sqlite')(t))]).toEqual([]);
  });

  it('plugins/ import nothing from db/ and no driver', () => {
    expect(offenders('plugins', (target) => driver(target) || under('db')(target))).toEqual([]);
  });
});

describe('openStore', () => {
  it('names the host and port of a postgres:// URL it cannot reach', async () => {
    await expect(openStore({ url: 'postgres://deskgraph@127.0.0.1:1/deskgraph' })).rejects.toThrow('DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED)');
  });
});

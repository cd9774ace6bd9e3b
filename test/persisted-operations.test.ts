import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../bin/config.js';
import { startDeskgraph, type RunningDeskgraph } from '../server.js';
import { snapshotOf, startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { databaseUrlOf, prepareDatabase } from './helpers/database.js';
import { wsClient } from './helpers/ws.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const ME = 'query Me { me { email } }';
const SECTORS = 'query Sectors { sectors { name } }';

async function post(url: string, token: string, body: Record<string, unknown>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  return (await response.json()) as { data?: Record<string, any>; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}
const byHash = (query: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } });

describe('a persisted-only server (PERSISTED_OPERATIONS_ONLY)', () => {
  let dir: string;
  let running: RunningDeskgraph;
  let token: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deskgraph-pq-'));
    const file = join(dir, 'persisted-documents.json');
    writeFileSync(file, JSON.stringify({ [sha256(ME)]: ME, [sha256(SECTORS)]: SECTORS }));
    await prepareDatabase(dir);
    running = await startDeskgraph(testConfig(dir, { production: true, graphiql: false, persistedOperations: { file, only: true } }), {
      port: 0,
      host: '127.0.0.1',
      log: pino({ level: 'silent' }),
    });
    if (!running.bootstrap.created) throw new Error('expected a fresh database');
    token = (await running.services.tokens.issueUserToken(running.bootstrap.adminId)).token;
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs a trusted document sent by its hash', async () => {
    expect(await post(running.url, token, byHash(ME))).toEqual({ data: { me: { email: 'admin@deskgraph.test' } } });
  });

  it('refuses a trusted document sent as text alone, also after it ran by its hash', async () => {
    for (let i = 0; i < 2; i++) expect(await post(running.url, token, byHash(SECTORS))).toEqual({ data: { sectors: [] } });
    for (let i = 0; i < 2; i++) {
      const asText = await post(running.url, token, { query: SECTORS });
      expect(asText.data).toBeUndefined();
      expect(asText.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_ONLY');
    }
  });

  it('refuses a document that is not in the list, and it changes nothing', async () => {
    const before = await snapshotOf(databaseUrlOf(dir));
    const arbitrary = await post(running.url, token, { query: 'mutation { createSector(input: { name: "Rogue" }) { id } }' });
    expect(arbitrary.data).toBeUndefined();
    expect(arbitrary.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_ONLY');
    const unknown = await post(running.url, token, byHash('mutation { createSector(input: { name: "Rogue" }) { id } }'));
    expect(unknown.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    // A trusted hash does not smuggle another document in beside it.
    const smuggled = await post(running.url, token, { ...byHash(ME), query: 'mutation { createSector(input: { name: "Rogue" }) { id } }' });
    expect(smuggled.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_ONLY');
    expect(await snapshotOf(databaseUrlOf(dir))).toBe(before);
  });

  it('applies the same rule on graphql-ws', async () => {
    const client = wsClient(running.url, { authorization: `Bearer ${token}` });
    try {
      const refused = await new Promise<{ errors?: { extensions?: Record<string, unknown> }[] }>((resolve) => {
        client.subscribe({ query: 'mutation { createSector(input: { name: "Rogue" }) { id } }' }, {
          next: (value) => resolve(value as never),
          error: (error) => resolve({ errors: error as never }),
          complete: () => undefined,
        });
      });
      expect(refused.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_ONLY');
      const trusted = await new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: '', ...byHash(SECTORS) } as never, { next: resolve, error: reject, complete: () => undefined });
      });
      expect(trusted).toEqual({ data: { sectors: [] } });
    } finally {
      await client.dispose();
    }
  });
});

describe('automatic persisted queries (the default)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => app?.stop());

  it('an unknown hash asks for the query once; after that the hash alone runs it', async () => {
    const query = 'query MyTabs { ticketCounts { waiting open closed } }';
    const first = await post(app.url, app.adminToken, byHash(query));
    expect(first.errors?.[0]).toMatchObject({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } });
    const registered = await post(app.url, app.adminToken, { query, ...byHash(query) });
    expect(registered.data).toEqual({ ticketCounts: { waiting: 0, open: 0, closed: 0 } });
    expect((await post(app.url, app.adminToken, byHash(query))).data).toEqual({ ticketCounts: { waiting: 0, open: 0, closed: 0 } });
  });

  it('refuses a hash that is not the hash of the query', async () => {
    const wrong = await post(app.url, app.adminToken, { query: '{ me { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ users { id } }') } } });
    expect(wrong.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_HASH_MISMATCH');
    expect((await post(app.url, app.adminToken, byHash('{ users { id } }'))).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('configuration', () => {
  const log = pino({ level: 'silent' });
  const base = { JWT_SECRET: 's'.repeat(40), DATABASE_URL: '/tmp/deskgraph-pq-config/x.sqlite' };
  it('PERSISTED_OPERATIONS_ONLY needs a file, and a bad file is named', () => {
    expect(() => loadConfig({ ...base, PERSISTED_OPERATIONS_ONLY: 'true' }, log)).toThrow(/PERSISTED_OPERATIONS_ONLY: needs PERSISTED_OPERATIONS_FILE/);
    expect(() => loadConfig({ ...base, PERSISTED_OPERATIONS_FILE: '/nonexistent/docs.json' }, log)).toThrow(/PERSISTED_OPERATIONS_FILE: cannot read \/nonexistent\/docs.json/);
  });
});

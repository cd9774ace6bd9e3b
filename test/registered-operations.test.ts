import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDeskgraph, type RunningDeskgraph } from '../server.js';
import { snapshotOf, testConfig } from './helpers/app.js';
import { databaseUrlOf, prepareDatabase, withTestDatabase } from './helpers/database.js';
import { wsClient } from './helpers/ws.js';

// Trusted documents an ADMIN registers (registerPersistedOperation), stored per account and run by
// hash on a persisted-only server beside the release's file. The admin tooling's own documents ship
// in the file, as a console's would.

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const REGISTER = 'mutation Register($d: String!) { registerPersistedOperation(document: $d) { id document createdBy { email } } }';
const LIST = 'query Registered { persistedOperations { id } }';
const DELETE = 'mutation Unregister($id: ID!) { deletePersistedOperation(id: $id) { id } }';
const CREATE_USER = 'mutation CreateUser($input: CreateUserInput!) { createUser(input: $input) { id } }';
const SECTORS = 'query SectorNames { sectors { name } }';
const ROGUE = 'mutation { createSector(input: { name: "Rogue" }) { id } }';

type Answer = { data?: Record<string, any> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
async function byHash(url: string, token: string, document: string, variables?: Record<string, unknown>): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(document) } } }),
  });
  return (await response.json()) as Answer;
}

describe('trusted documents registered by an ADMIN', () => {
  let dir: string;
  let running: RunningDeskgraph;
  let adminToken: string;
  let userToken: string;
  const database = () => databaseUrlOf(dir);
  const storedCount = async () =>
    (await withTestDatabase(database(), (db) => db.rows<{ n: number }>('SELECT count(*) AS n FROM persisted_operations'), { readonly: true }))[0]!.n;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deskgraph-registered-'));
    const file = join(dir, 'persisted-documents.json');
    writeFileSync(file, JSON.stringify(Object.fromEntries([REGISTER, LIST, DELETE, CREATE_USER].map((doc) => [sha256(doc), doc]))));
    await prepareDatabase(dir);
    running = await startDeskgraph(testConfig(dir, { production: true, graphiql: false, persistedOperations: { file, only: true } }), {
      port: 0,
      host: '127.0.0.1',
      log: pino({ level: 'silent' }),
    });
    if (!running.bootstrap.created) throw new Error('expected a fresh database');
    adminToken = (await running.services.tokens.issueUserToken(running.bootstrap.adminId)).token;
    const created = await byHash(running.url, adminToken, CREATE_USER, { input: { name: 'Agent', email: 'agent@deskgraph.test', password: 'Agent-Passw0rd', role: 'USER', sectorIds: [] } });
    userToken = (await running.services.tokens.issueUserToken(Number(Buffer.from(created.data!['createUser'].id, 'base64').toString().split(':')[1]))).token;
  });
  afterAll(async () => {
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a document is refused before an ADMIN registers it, and runs by its hash after, for any agent of that account only', async () => {
    expect((await byHash(running.url, userToken, SECTORS)).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');

    const registered = await byHash(running.url, adminToken, REGISTER, { d: SECTORS });
    expect(registered).toEqual({ data: { registerPersistedOperation: { id: sha256(SECTORS), document: SECTORS, createdBy: { email: 'admin@deskgraph.test' } } } });
    expect((await byHash(running.url, adminToken, REGISTER, { d: SECTORS })).data?.['registerPersistedOperation'].id).toBe(sha256(SECTORS));
    expect(await storedCount()).toBe(1);

    expect(await byHash(running.url, userToken, SECTORS)).toEqual({ data: { sectors: [] } });
    expect((await byHash(running.url, adminToken, LIST)).data).toEqual({ persistedOperations: [{ id: sha256(SECTORS) }] });

    // Another account's users do not get this account's registrations.
    const services = running.services;
    const outsiderId = await services.store.write(async (tx) => {
      const account = await tx.accounts.insert({ name: 'Other Co', timeZone: 'UTC' }, new Date());
      const user = await tx.users.insert(
        {
          accountId: account.id, name: 'Otto', email: 'otto@other.test', passwordHash: await services.passwords.hash('Otto-passw0rd'),
          role: 'ADMIN', active: true, avatarUrl: null, phone: null, status: 'OFFLINE', canDismissWaiting: true,
          canViewAllContacts: true, canMonitor: true, maxConcurrentTickets: null, workingHours: null,
        },
        new Date(),
      );
      return user.id;
    });
    const outsiderToken = (await services.tokens.issueUserToken(outsiderId)).token;
    expect((await byHash(running.url, outsiderToken, SECTORS)).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect((await byHash(running.url, outsiderToken, LIST)).data).toEqual({ persistedOperations: [] });

    const client = wsClient(running.url, { authorization: `Bearer ${userToken}` });
    try {
      const overSocket = await new Promise<unknown>((resolve, reject) => {
        client.subscribe({ query: '', extensions: { persistedQuery: { version: 1, sha256Hash: sha256(SECTORS) } } } as never, { next: resolve, error: reject, complete: () => undefined });
      });
      expect(overSocket).toEqual({ data: { sectors: [] } });
    } finally {
      await client.dispose();
    }
  });

  it('still refuses an unknown document, sent whole or by hash, changing nothing', async () => {
    const before = await snapshotOf(database());
    const response = await fetch(running.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ query: ROGUE }),
    });
    expect(((await response.json()) as Answer).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_ONLY');
    expect((await byHash(running.url, adminToken, ROGUE)).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    // Without credentials the account's registrations are out of reach.
    expect((await byHash(running.url, 'not-a-token', SECTORS)).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(await snapshotOf(database())).toBe(before);
  });

  it('a USER may not register, list or delete (FORBIDDEN), and nothing is stored', async () => {
    const before = await snapshotOf(database());
    const count = await storedCount();
    for (const [document, variables] of [[REGISTER, { d: ROGUE }], [LIST, undefined], [DELETE, { id: sha256(SECTORS) }]] as const) {
      const refused = await byHash(running.url, userToken, document, variables);
      expect(refused.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    }
    expect(await storedCount()).toBe(count);
    expect(await snapshotOf(database())).toBe(before);
    expect((await byHash(running.url, userToken, ROGUE)).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('refuses a document that does not validate against the schema, and an unknown id, changing nothing', async () => {
    const before = await snapshotOf(database());
    const invalid = await byHash(running.url, adminToken, REGISTER, { d: '{ sectors { nope } }' });
    expect(invalid.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'document' });
    const garbage = await byHash(running.url, adminToken, REGISTER, { d: 'not graphql at all {' });
    expect(garbage.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'document' });
    expect((await byHash(running.url, adminToken, DELETE, { id: sha256(ROGUE) })).errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    expect((await byHash(running.url, adminToken, DELETE, { id: 'xyz' })).errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(await snapshotOf(database())).toBe(before);
  });

  it('once deleted, its hash is refused again', async () => {
    expect((await byHash(running.url, adminToken, DELETE, { id: sha256(SECTORS) })).data).toEqual({ deletePersistedOperation: { id: sha256(SECTORS) } });
    expect(await storedCount()).toBe(0);
    expect((await byHash(running.url, userToken, SECTORS)).errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

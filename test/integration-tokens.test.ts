import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, TEST_SECRET, testConfig, type TestApp } from './helpers/app.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { testClock } from './helpers/clock.js';
import { engine, withTestDatabase } from './helpers/database.js';
import { contactWrites, createAgent, createSector, INGEST, type Agent } from './helpers/fixtures.js';
import { hs256Token, subOf } from './helpers/tokens.js';

// Integration tokens as a helpdesk's API access tokens: opaque, shown once, stored as a hash,
// scoped (INGEST, READ), rotatable and revocable. Everything goes through the HTTP endpoint.

const clock = testClock('2026-12-07T15:00:00Z');
let app: TestApp;
let sales: string;
let ana: Agent; // a USER of Sales

const CREATE = `mutation($name: String!, $scopes: [IntegrationScope!]) {
  createIntegration(name: $name, scopes: $scopes) { token integration { id name scopes tokenHint lastUsedAt createdAt revokedAt } }
}`;
const ROTATE = 'mutation($id: ID!) { rotateIntegrationToken(id: $id) { token integration { id tokenHint lastUsedAt } } }';
const REVOKE = 'mutation($id: ID!) { revokeIntegration(id: $id) { id revokedAt } }';
const LIST = '{ integrations { id name scopes tokenHint lastUsedAt createdAt revokedAt } }';
const TICKET = 'query($id: ID!) { ticket(id: $id) { id status contact { phone } messages { edges { node { body } } } } }';
const SECTORS = '{ sectors { id } }';

interface Created {
  token: string;
  integration: { id: string; name: string; scopes: string[]; tokenHint: string | null; lastUsedAt: string | null; createdAt: string; revokedAt: string | null };
}

async function createIntegration(name: string, scopes?: string[]): Promise<Created> {
  const { createIntegration } = await app.admin.request(CREATE, { name, scopes });
  return createIntegration;
}

const localId = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]);

/** The integration's row as the database holds it, read straight from it. */
async function rowOf(id: string): Promise<Record<string, unknown>> {
  const [row] = await withTestDatabase(app.config.databaseUrl, (db) => db.rows('SELECT * FROM integrations WHERE id = ?', [localId(id)]), { readonly: true });
  return row!;
}

/** Stands in for a row from before opaque tokens (migration 0008 left token_hash empty). */
async function makeLegacy(id: string, scopes: string[]): Promise<void> {
  await withTestDatabase(app.config.databaseUrl, (db) => db.run('UPDATE integrations SET token_hash = NULL, token_hint = NULL, scopes = ? WHERE id = ?', [JSON.stringify(scopes), localId(id)]));
}

/** An integration JWT as Deskgraph used to issue them, valid for an hour of the test clock. */
function legacyJwt(id: string): Promise<string> {
  const now = Math.floor(clock.now().getTime() / 1000);
  return hs256Token(TEST_SECRET, { sub: subOf('Integration', localId(id)), iat: now, expiresIn: now + 3600 });
}

async function eventsOfType(type: string): Promise<Record<string, unknown>[]> {
  const rows = await withTestDatabase(app.config.databaseUrl, (db) => db.rows<{ payload: string }>('SELECT payload FROM outbox WHERE type = ? ORDER BY id', [type]), { readonly: true });
  return rows.map((row) => JSON.parse(row.payload));
}

beforeAll(async () => {
  // Login tokens outlive the minutes the clock is moved on.
  app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 365 * 86_400 } });
  sales = await createSector(app, 'Sales');
  ana = await createAgent(app, 'Ana', [sales]);
});
afterAll(() => app.stop());

describe('a new integration token', () => {
  it('is shown once: the list has its hint only, and the database holds its hash, never the token', async () => {
    const created = await createIntegration('WhatsApp bot');
    expect(created.token).toMatch(/^dgi_[A-Za-z0-9_-]{43}$/);
    expect(created.integration).toMatchObject({ name: 'WhatsApp bot', scopes: ['INGEST'], tokenHint: created.token.slice(-4), lastUsedAt: null, revokedAt: null });

    const { integrations } = await app.admin.request(LIST);
    expect(integrations.find((i: { id: string }) => i.id === created.integration.id)).toEqual(created.integration);
    expect(JSON.stringify(integrations)).not.toContain(created.token);
    await app.admin.expectCode('{ integrations { token } }', undefined, 'GRAPHQL_VALIDATION_FAILED');

    const row = await rowOf(created.integration.id);
    expect(row['token_hash']).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(row['token_hint']).toBe(created.token.slice(-4));
    expect(JSON.stringify(row)).not.toContain(created.token.slice(4));
    expect(await app.snapshot()).not.toContain(created.token.slice(4));
    // The bytes on disk too, write-ahead log included: the secret part of the token is nowhere (the
    // SQLite file; PostgreSQL's files belong to its server).
    const files = engine === 'sqlite' ? [app.config.databaseUrl, `${app.config.databaseUrl}-wal`] : [];
    for (const file of files.filter((path) => existsSync(path))) {
      expect(readFileSync(file).includes(Buffer.from(created.token.slice(4)))).toBe(false);
    }
  });

  it('gets a fresh random token each time, with the scopes asked for (repeats dropped)', async () => {
    const first = await createIntegration('Reader', ['READ', 'READ']);
    const second = await createIntegration('Both', ['INGEST', 'READ']);
    expect(first.integration.scopes).toEqual(['READ']);
    expect(second.integration.scopes).toEqual(['INGEST', 'READ']);
    expect(first.token).not.toBe(second.token);
  });

  it('refuses an empty scope list with BAD_USER_INPUT on scopes, changing nothing', async () => {
    const before = await app.snapshot();
    await app.admin.expectCode(CREATE, { name: 'Nothing', scopes: [] }, 'BAD_USER_INPUT', 'scopes');
    expect(await app.snapshot()).toBe(before);
  });
});

describe('an INGEST token', () => {
  it('hands contacts over, recorded as the integration', async () => {
    const { token, integration } = await createIntegration('Channel');
    const bot = app.as(token);
    const { ingestMessage } = await bot.request(INGEST, { input: { contact: { phone: '5511970000001', name: 'Maria' }, body: 'Hi!', sectorId: sales } });
    expect(ingestMessage.status).toBe('WAITING');
    const { ticket } = await app.admin.request('query($id: ID!) { ticket(id: $id) { history { kind actorKind } } }', { id: ingestMessage.id });
    expect(ticket.history).toEqual([{ kind: 'CREATED', actorKind: 'INTEGRATION' }]);
    expect((await rowOf(integration.id))['last_used_at']).toBe(clock.now().getTime());
  });

  it('may not read a ticket: FORBIDDEN naming READ, even for the ticket it just opened', async () => {
    const { token } = await createIntegration('Ingest only');
    const bot = app.as(token);
    const { ingestMessage } = await bot.request(INGEST, { input: { contact: { phone: '5511970000002' }, body: 'Hello' } });
    const error = await bot.expectCode(TICKET, { id: ingestMessage.id }, 'FORBIDDEN');
    expect(error.message).toContain('READ');
    expect(error.extensions).toMatchObject({ reason: 'MISSING_SCOPE', scope: 'READ' });
  });

  it('records its use at most once a minute', async () => {
    const { token, integration } = await createIntegration('Busy bot');
    const bot = app.as(token);
    const firstUse = clock.now().getTime();
    await bot.request(SECTORS);
    expect((await rowOf(integration.id))['last_used_at']).toBe(firstUse);
    clock.advance(30_000);
    await bot.request(SECTORS);
    expect((await rowOf(integration.id))['last_used_at']).toBe(firstUse);
    clock.advance(31_000);
    await bot.request(SECTORS);
    expect((await rowOf(integration.id))['last_used_at']).toBe(firstUse + 61_000);
    const { integrations } = await app.admin.request(LIST);
    expect(integrations.find((i: { id: string }) => i.id === integration.id).lastUsedAt).toBe(new Date(firstUse + 61_000).toISOString());
  });
});

describe('a READ token', () => {
  it("reads any of the account's tickets with its contact and messages", async () => {
    const ticket = await contactWrites(app, { phone: '5511970000003', body: 'Where is my order?', sectorId: sales });
    const { token } = await createIntegration('Reporting', ['READ']);
    const { ticket: read } = await app.as(token).request(TICKET, { id: ticket.id });
    expect(read).toMatchObject({ id: ticket.id, status: 'WAITING', contact: { phone: '5511970000003' } });
    expect(read.messages.edges.map((edge: { node: { body: string } }) => edge.node.body)).toContain('Where is my order?');
  });

  it('gets FORBIDDEN naming INGEST on every ingestion call, and the database is unchanged', async () => {
    const closed = await contactWrites(app, { phone: '5511970000004', body: 'x' });
    await app.admin.request('mutation($id: ID!) { cancelTicket(id: $id) { id } }', { id: closed.id });
    const { token } = await createIntegration('Reader only', ['READ']);
    const reader = app.as(token);
    await reader.request(SECTORS); // its first use is recorded now, not during the refused calls
    const before = await app.snapshot();
    const calls: [string, Record<string, unknown>][] = [
      [INGEST, { input: { contact: { phone: '5511970000005' }, body: 'let me in' } }],
      ['mutation($id: ID!) { cancelTicket(id: $id) { id } }', { id: closed.id }],
      ['mutation($id: ID!) { rateTicket(ticketId: $id, rating: 5) { rating } }', { id: closed.id }],
    ];
    for (const [query, variables] of calls) {
      const error = await reader.expectCode(query, variables, 'FORBIDDEN');
      expect(error.message).toContain('INGEST');
      expect(error.extensions).toMatchObject({ reason: 'MISSING_SCOPE', scope: 'INGEST' });
    }
    expect(await app.snapshot()).toBe(before);
  });
});

describe('ending a token', () => {
  it('revoked: refused with UNAUTHENTICATED (REVOKED) on the next request', async () => {
    const { token, integration } = await createIntegration('Old bot');
    const bot = app.as(token);
    await bot.request(SECTORS);
    const { revokeIntegration } = await app.admin.request(REVOKE, { id: integration.id });
    expect(revokeIntegration.revokedAt).toBe(clock.now().toISOString());
    const before = await app.snapshot();
    const error = await bot.expectCode(INGEST, { input: { contact: { phone: '5511970000006' }, body: 'x' } }, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('REVOKED');
    expect(await app.snapshot()).toBe(before);
    await app.admin.expectCode(ROTATE, { id: integration.id }, 'CONFLICT');
    expect(await app.snapshot()).toBe(before);
  });

  it('rotated: the old token is refused, the new one works and is shown once, and the rotation is an event', async () => {
    const { token: oldToken, integration } = await createIntegration('Rotating bot', ['INGEST', 'READ']);
    await app.as(oldToken).request(SECTORS);
    const { rotateIntegrationToken: rotated } = await app.admin.request(ROTATE, { id: integration.id });
    expect(rotated.token).toMatch(/^dgi_/);
    expect(rotated.token).not.toBe(oldToken);
    expect(rotated.integration).toEqual({ id: integration.id, tokenHint: rotated.token.slice(-4), lastUsedAt: null });

    const error = await app.as(oldToken).expectCode(SECTORS, undefined, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('INVALID_TOKEN');
    await app.as(rotated.token).request(SECTORS);
    expect((await rowOf(integration.id))['token_hash']).toBe(createHash('sha256').update(rotated.token).digest('hex'));
    expect(await eventsOfType('integration.rotated')).toContainEqual({ integrationId: localId(integration.id), byUserId: expect.any(Number) });
  });

  it('refuses an unknown token and an unknown integration', async () => {
    await expectUnchanged(app, async () => {
      const error = await app.as(`dgi_${'A'.repeat(43)}`).expectCode(SECTORS, undefined, 'UNAUTHENTICATED');
      expect(error.extensions?.['reason']).toBe('INVALID_TOKEN');
      await app.admin.expectCode(ROTATE, { id: Buffer.from('Integration:9999').toString('base64') }, 'NOT_FOUND');
    });
  });
});

describe('integration JWTs from before opaque tokens', () => {
  it('keep working for INGEST only, until the integration is rotated', async () => {
    const { integration } = await createIntegration('Legacy bot');
    await makeLegacy(integration.id, ['INGEST', 'READ']);
    const legacy = app.as(await legacyJwt(integration.id));
    const { ingestMessage } = await legacy.request(INGEST, { input: { contact: { phone: '5511970000007' }, body: 'old but fine' } });
    const forbidden = await legacy.expectCode(TICKET, { id: ingestMessage.id }, 'FORBIDDEN');
    expect(forbidden.extensions?.['scope']).toBe('READ');

    const { rotateIntegrationToken } = await app.admin.request(ROTATE, { id: integration.id });
    const refused = await legacy.expectCode(SECTORS, undefined, 'UNAUTHENTICATED');
    expect(refused.extensions?.['reason']).toBe('REVOKED');
    await app.as(rotateIntegrationToken.token).request(TICKET, { id: ingestMessage.id });
  });

  it('stop working once the integration is revoked, and their refused calls change nothing', async () => {
    const { integration } = await createIntegration('Revoked legacy bot');
    await makeLegacy(integration.id, ['INGEST']);
    const legacy = app.as(await legacyJwt(integration.id));
    await legacy.request(INGEST, { input: { contact: { phone: '5511970000008' }, body: 'still here' } });
    await app.admin.request(REVOKE, { id: integration.id });
    await expectUnchanged(app, async () => {
      const refused = await legacy.expectCode(INGEST, { input: { contact: { phone: '5511970000008' }, body: 'after revocation' } }, 'UNAUTHENTICATED');
      expect(refused.extensions?.['reason']).toBe('REVOKED');
    });
  });

  it('are refused for an integration that was given an opaque token', async () => {
    const { integration } = await createIntegration('New bot');
    const error = await app.as(await legacyJwt(integration.id)).expectCode(SECTORS, undefined, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('REVOKED');
  });
});

describe('who manages integrations', () => {
  it('an agent (USER) may not create, list, rotate or revoke them: FORBIDDEN, nothing changes', async () => {
    const { integration } = await createIntegration('Guarded');
    const before = await app.snapshot();
    await ana.client.expectCode(CREATE, { name: 'Mine' }, 'FORBIDDEN');
    await ana.client.expectCode(LIST, undefined, 'FORBIDDEN');
    await ana.client.expectCode(ROTATE, { id: integration.id }, 'FORBIDDEN');
    await ana.client.expectCode(REVOKE, { id: integration.id }, 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);
  });

  it('an integration token may not manage integrations either, whatever its scopes', async () => {
    const { token, integration } = await createIntegration('Ambitious', ['INGEST', 'READ']);
    const bot = app.as(token);
    await bot.request(SECTORS);
    const before = await app.snapshot();
    await bot.expectCode(CREATE, { name: 'Child' }, 'FORBIDDEN');
    await bot.expectCode(LIST, undefined, 'FORBIDDEN');
    await bot.expectCode(ROTATE, { id: integration.id }, 'FORBIDDEN');
    await bot.expectCode(REVOKE, { id: integration.id }, 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anotherAccount, platformHost, type OtherAccount } from './helpers/accounts.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TEST_SECRET, type TestApp } from './helpers/app.js';
import { startEntry } from './helpers/child.js';
import { engine, prepareDatabase } from './helpers/database.js';
import { INGEST } from './helpers/fixtures.js';
import { gqlClient } from './helpers/gql.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { wsClient, wsExecute } from './helpers/ws.js';

// Per-account fairness: each account spends its own budget of requests and of messages handed over,
// so a noisy tenant is refused (RATE_LIMITED, HTTP 429, Retry-After) while its neighbour goes on.

const COUNTS = '{ ticketCounts { waiting } }';

function post(app: TestApp, token: string, query: string, variables: Record<string, unknown> = {}) {
  return fetch(app.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query, variables }) });
}

describe('per-account limits', () => {
  let app: TestApp;
  let neighbour: OtherAccount;
  beforeAll(async () => {
    const host = await platformHost();
    app = await startTestApp({ ...host.settings, accountLimits: { requestsPerMinute: 25, ingestsPerMinute: 3 }, passwords: { memoryCost: 1024, timeCost: 1 } });
    neighbour = await anotherAccount(app, host, 'Neighbour Co');
  });
  afterAll(() => app.stop());

  it('refuses the ingest past the account\'s budget with RATE_LIMITED and Retry-After, storing nothing; the neighbour still ingests', async () => {
    for (const phone of ['5511900000101', '5511900000102', '5511900000103']) await app.admin.request(INGEST, { input: { contact: { phone }, body: 'hi' } });
    await expectUnchanged(app, async () => {
      const refused = await app.admin.expectCode(INGEST, { input: { contact: { phone: '5511900000104' }, body: 'one too many' } }, 'RATE_LIMITED');
      expect(refused.extensions).toMatchObject({ limit: 'ACCOUNT_INGESTS' });
      expect(refused.extensions!['retryAfterSeconds']).toBeGreaterThanOrEqual(1);
      expect(refused.extensions!['retryAfterSeconds']).toBeLessThanOrEqual(60);
      expect(refused.extensions).not.toHaveProperty('http');
    });
    const { ingestMessage } = await neighbour.admin.request(INGEST, { input: { contact: { phone: '5511900000104' }, body: 'next door', channelId: neighbour.channelId } });
    expect(ingestMessage.status).toBe('WAITING');
  });

  it('refuses every operation past the request budget, over HTTP (429) and on a socket; the neighbour is not slowed', async () => {
    // Ingests spent requests too: spend the rest of the budget, then one more is refused.
    let answered = 0;
    for (;;) {
      const response = await post(app, app.adminToken, COUNTS);
      if (response.status === 429) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
        expect(body.errors[0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'ACCOUNT_REQUESTS' });
        break;
      }
      expect(response.status, await response.clone().text()).toBe(200);
      answered += 1;
      expect(answered, 'the budget of 25 was never enforced').toBeLessThan(25);
    }
    await expectUnchanged(app, async () => {
      await app.admin.expectCode('mutation { setMyStatus(status: PAUSED) { id } }', undefined, 'RATE_LIMITED');
      const socket = wsClient(app.url, { authorization: `Bearer ${app.adminToken}` });
      try {
        const refused = await wsExecute(socket, 'subscription { ticketCountsChanged { waiting } }');
        expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'ACCOUNT_REQUESTS' });
      } finally {
        await socket.dispose();
      }
    });
    // Signing in has no account yet: it is throttled by failures, not by the spent budget of its account.
    const login = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';
    expect((await app.anonymous.request(login, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD })).login.token).toBeTruthy();
    for (let i = 0; i < 20; i++) expect((await neighbour.admin.request(COUNTS)).ticketCounts.waiting).toBe(1);
  });
});

describe('per-account limits from the environment', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('ACCOUNT_INGESTS_PER_MINUTE and ACCOUNT_REQUESTS_PER_MINUTE set the budgets exactly', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-fairness-'));
    dirs.push(dir);
    const entry = await startEntry({
      PORT: '0', HOST: '127.0.0.1', DATABASE_URL: engine === 'sqlite' ? join(dir, 'desk.sqlite') : await prepareDatabase(dir), JWT_SECRET: TEST_SECRET,
      BOOTSTRAP_ADMIN_EMAIL: 'boss@fair.test', BOOTSTRAP_ADMIN_PASSWORD: 'Boss-Passw0rd', ACCOUNT_INGESTS_PER_MINUTE: '2', ACCOUNT_REQUESTS_PER_MINUTE: '6',
    });
    try {
      const { login } = await gqlClient(entry.url).request('mutation { login(email: "boss@fair.test", password: "Boss-Passw0rd") { token } }');
      const admin = gqlClient(entry.url, login.token);
      const outcomes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const errors = await admin.errors(INGEST, { input: { contact: { phone: `55119000002${i}` }, body: 'hi' } });
        outcomes.push(errors[0] ? `${errors[0].extensions?.['code']} ${errors[0].extensions?.['limit']}` : 'ingested');
      }
      for (let i = 0; i < 4; i++) {
        const errors = await admin.errors(COUNTS);
        outcomes.push(errors[0] ? `${errors[0].extensions?.['code']} ${errors[0].extensions?.['limit']}` : 'answered');
      }
      expect(outcomes, entry.output()).toEqual(['ingested', 'ingested', 'RATE_LIMITED ACCOUNT_INGESTS', 'answered', 'answered', 'answered', 'RATE_LIMITED ACCOUNT_REQUESTS']);
    } finally {
      await entry.stop();
    }
  });
});

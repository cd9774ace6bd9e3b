import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt, jwtVerify } from 'jose';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { killStartedEntries, ROOT, startEntry } from './helpers/child.js';
import { engine, prepareDatabase } from './helpers/database.js';
import { gqlClient, type GqlError } from './helpers/gql.js';
import { startReceiver } from './helpers/receiver.js';
import { hs256Token } from './helpers/tokens.js';

// The README's configuration table, read the way a newcomer uses it: environment variables given to
// the real entry (bin/start.ts) in a child process, each one then observed through the API.

const SECRET = 'environment-test-secret-long-enough-for-hs256-0123';
const PLATFORM_TOKEN = 'dgp_environment-test-platform-token-0123456789abcdef';
const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';
const dirs: string[] = [];
afterEach(() => {
  killStartedEntries();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function loginFrom(url: string, email: string, password: string, forwardedFor: string): Promise<{ token?: string; errors: GqlError[] }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify({ query: LOGIN, variables: { email, password } }),
  });
  const body = await response.json();
  return { token: body.data?.login?.token, errors: body.errors ?? [] };
}
const reasonOf = (result: { errors: GqlError[] }) => result.errors[0]?.extensions?.['reason'] ?? 'SIGNED_IN';

/** Midnight of today in `timeZone`, as an ISO instant (for a zone without daylight saving). */
function midnightIn(timeZone: string, offsetHours: number): string {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date()).split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!) - offsetHours * 3600_000).toISOString();
}

describe('configuration from the environment (npm start in a child process)', () => {
  it('honours the documented variables, each observed through the API', { timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deskgraph-env-'));
    dirs.push(dir);
    const receiver = await startReceiver({ delayMs: 1500 });
    const env = {
      PORT: '0', HOST: '127.0.0.1', DATABASE_URL: engine === 'sqlite' ? join(dir, 'custom', 'desk.sqlite') : await prepareDatabase(dir), JWT_SECRET: SECRET,
      JWT_ISSUER: 'https://host.test', JWT_AUDIENCE: 'deskgraph-test', JWT_TTL_SECONDS: '120',
      BOOTSTRAP_ADMIN_EMAIL: 'boss@env.test', BOOTSTRAP_ADMIN_PASSWORD: 'Boss-Passw0rd', BOOTSTRAP_TIME_ZONE: 'Asia/Tokyo',
      LOGIN_FAILURES_PER_EMAIL: '2', LOGIN_FAILURES_PER_IP: '4', LOGIN_THROTTLE_WINDOW_SECONDS: '30', TRUST_PROXY: 'true',
      BODY_LIMIT_BYTES: '4000', NODE_ENV: 'production', LOG_LEVEL: 'info',
      PLUGINS: './plugins/examples/sla.ts', SLA_MINUTES: '15',
      PLATFORM_TOKEN_SHA256: `${'0'.repeat(64)},${createHash('sha256').update(PLATFORM_TOKEN).digest('hex')}`,
      WEBHOOKS_ALLOW_PRIVATE_URLS: 'true', WEBHOOKS_TIMEOUT_MS: '200', WEBHOOKS_MAX_ATTEMPTS: '2', WEBHOOKS_RETRY_BASE_MS: '50', WEBHOOKS_POLL_MS: '50',
    };
    const entry = await startEntry(env);
    try {
      // DATABASE_URL and JWT_SECRET: the SQLite file where asked, no generated secret beside it.
      if (engine === 'sqlite') {
        expect(existsSync(env.DATABASE_URL)).toBe(true);
        expect(existsSync(join(dir, 'custom', 'jwt-secret'))).toBe(false);
      }

      // BOOTSTRAP_*, JWT_*: issued tokens carry iss, aud and the TTL, signed with the secret.
      const signedIn = await loginFrom(entry.url, 'boss@env.test', 'Boss-Passw0rd', '192.0.2.10');
      const token = signedIn.token!;
      const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { issuer: 'https://host.test', audience: 'deskgraph-test' });
      expect(payload.exp! - payload.iat!).toBe(120);
      const admin = gqlClient(entry.url, token);
      const me = (await admin.request('{ me { id email role } }')).me;
      expect(me).toMatchObject({ email: 'boss@env.test', role: 'ADMIN' });
      // A token without the issuer and audience is refused.
      const bare = await hs256Token(SECRET, { sub: me.id, expiresIn: '5m' });
      await gqlClient(entry.url, bare).expectCode('{ me { id } }', undefined, 'UNAUTHENTICATED');

      // PLATFORM_TOKEN_SHA256: the token whose digest is listed (beside another, as in a rotation) is the platform's.
      const { createAccount } = await gqlClient(entry.url, PLATFORM_TOKEN).request('mutation { createAccount(input: { name: "Tenant" }) { id name } }');
      expect(createAccount.name).toBe('Tenant');
      await gqlClient(entry.url, `${PLATFORM_TOKEN}x`).expectCode('{ accounts { totalCount } }', undefined, 'UNAUTHENTICATED');

      // BOOTSTRAP_TIME_ZONE: "today" of the panel starts at midnight in Tokyo.
      expect((await admin.request('{ monitoring { since } }')).monitoring.since).toBe(midnightIn('Asia/Tokyo', 9));

      // NODE_ENV=production: no introspection.
      const introspection = await admin.errors('{ __schema { queryType { name } } }');
      expect(introspection.length).toBeGreaterThan(0);

      // PLUGINS + SLA_MINUTES: the example plugin's field, from its own variable.
      const { ingestMessage } = await admin.request('mutation { ingestMessage(input: { contact: { phone: "5511900001111" }, body: "hi" }) { createdAt slaDueAt } }');
      expect(new Date(ingestMessage.slaDueAt).getTime() - new Date(ingestMessage.createdAt).getTime()).toBe(15 * 60_000);

      // WEBHOOKS_*: a receiver slower than the 200 ms timeout gets 2 attempts, then the delivery is DEAD.
      const { createWebhook } = await admin.request('mutation($input: WebhookInput!) { createWebhook(input: $input) { webhook { id } } }', {
        input: { url: receiver.url, events: ['ticket.created'] },
      });
      await admin.request('mutation { ingestMessage(input: { contact: { phone: "5511900002222" }, body: "hook" }) { id } }');
      const DELIVERIES = 'query($id: ID) { webhookDeliveries(webhookId: $id) { nodes { status attempts lastError } } }';
      const deadline = Date.now() + 20_000;
      let delivery: { status: string; attempts: number; lastError: string } | undefined;
      while (Date.now() < deadline && delivery?.status !== 'DEAD') {
        delivery = (await admin.request(DELIVERIES, { id: createWebhook.webhook.id })).webhookDeliveries.nodes[0];
        if (delivery?.status !== 'DEAD') await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(delivery).toMatchObject({ status: 'DEAD', attempts: 2 });
      expect(delivery!.lastError).toBe('no answer within 200 ms');
      await receiver.until((all) => all.length >= 2);

      // BODY_LIMIT_BYTES: a larger request body, or WebSocket message, is refused.
      const big = await fetch(entry.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: `{ me { id } } # ${'x'.repeat(5000)}` }),
      });
      expect(big.status).toBe(413);
      const socket = new WebSocket(entry.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.on('open', resolve));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { token, padding: 'x'.repeat(5000) } }));
      expect(await closed).toBe(1009);

      // npm run token: a token for that user from the same environment, accepted by the server.
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/mint-token.ts', 'boss@env.test'], { cwd: ROOT, env: { ...process.env, ...env } });
      const minted = stdout.trim();
      expect(decodeJwt(minted)).toMatchObject({ iss: 'https://host.test', aud: 'deskgraph-test' });
      expect((await gqlClient(entry.url, minted).request('{ me { email } }')).me.email).toBe('boss@env.test');

      // LOGIN_* with TRUST_PROXY: 2 failures lock an e-mail (window 30 s), 4 from one forwarded IP lock that IP only.
      await admin.request('mutation { createUser(input: { name: "Ivo", email: "ivo@env.test", password: "Ivo-Passw0rd", role: USER, sectorIds: [] }) { id } }');
      for (let i = 0; i < 2; i++) expect(reasonOf(await loginFrom(entry.url, 'boss@env.test', 'Wrong-passw0rd', '203.0.113.1'))).toBe('BAD_CREDENTIALS');
      const locked = await loginFrom(entry.url, 'boss@env.test', 'Boss-Passw0rd', '198.51.100.1');
      expect(reasonOf(locked)).toBe('TOO_MANY_ATTEMPTS');
      expect(locked.errors[0]?.extensions?.['retryAfterSeconds']).toBeLessThanOrEqual(30);
      for (let i = 0; i < 2; i++) expect(reasonOf(await loginFrom(entry.url, `guess${i}@env.test`, 'Wrong-passw0rd', '203.0.113.1'))).toBe('BAD_CREDENTIALS');
      expect(reasonOf(await loginFrom(entry.url, 'ivo@env.test', 'Ivo-Passw0rd', '203.0.113.1'))).toBe('TOO_MANY_ATTEMPTS');
      expect(reasonOf(await loginFrom(entry.url, 'ivo@env.test', 'Ivo-Passw0rd', '198.51.100.1'))).toBe('SIGNED_IN');
    } finally {
      await receiver.close();
      expect(await entry.stop('SIGINT')).toBe(0);
    }
  });
});

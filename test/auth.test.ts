import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TEST_SECRET, type TestApp } from './helpers/app.js';
import { createAgent } from './helpers/fixtures.js';
import { gqlClient, type GqlError } from './helpers/gql.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { base64url, hs256Token, subOf } from './helpers/tokens.js';

const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token expiresAt user { id email role } } }';
const ME = '{ me { id email role } }';

let app: TestApp;
let adminId: number;

beforeAll(async () => {
  app = await startTestApp();
  adminId = app.running.bootstrap.created ? app.running.bootstrap.adminId : 0;
});
afterAll(() => app.stop());

describe('login', () => {
  it('issues a token for the right password, whose subject is the user id the API shows', async () => {
    const { login } = await app.anonymous.request(LOGIN, { email: ADMIN_EMAIL.toUpperCase(), password: ADMIN_PASSWORD });
    expect(login.user.email).toBe(ADMIN_EMAIL);
    expect(login.user.role).toBe('ADMIN');
    const { me } = await app.as(login.token).request(ME);
    expect(me.id).toBe(login.user.id);
    const payload = JSON.parse(Buffer.from(login.token.split('.')[1], 'base64url').toString());
    expect(payload.sub).toBe(me.id);
    expect(payload.exp - payload.iat).toBe(3600);
    expect(new Date(login.expiresAt).getTime()).toBe(payload.exp * 1000);
  });

  it('refuses a wrong password and an unknown e-mail alike', async () => {
    await expectUnchanged(app, async () => {
      const wrong = await app.anonymous.expectCode(LOGIN, { email: ADMIN_EMAIL, password: 'Wrong-passw0rd' }, 'UNAUTHENTICATED');
      const unknown = await app.anonymous.expectCode(LOGIN, { email: 'nobody@deskgraph.test', password: 'Wrong-passw0rd' }, 'UNAUTHENTICATED');
      expect(wrong.message).toBe(unknown.message);
    });
  });
});

describe('tokens', () => {
  const forgedCases: [string, () => Promise<string>][] = [
    ['signed with another secret', () => hs256Token('another-secret-that-is-long-enough-0123456789', { sub: subOf('User', 1), expiresIn: '1h' })],
    ['alg: none', async () => `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: subOf('User', 1), exp: Math.floor(Date.now() / 1000) + 3600 })}.`],
    ['expired', () => hs256Token(TEST_SECRET, { sub: subOf('User', 1), iat: Math.floor(Date.now() / 1000) - 7200, expiresIn: Math.floor(Date.now() / 1000) - 3600 })],
    ['without exp', () => hs256Token(TEST_SECRET, { sub: subOf('User', 1) })],
    [
      'tampered payload',
      async () => {
        const [header, , signature] = (await hs256Token(TEST_SECRET, { sub: subOf('User', 999), expiresIn: '1h' })).split('.');
        return `${header}.${base64url({ sub: subOf('User', 1), exp: Math.floor(Date.now() / 1000) + 3600 })}.${signature}`;
      },
    ],
    [
      'RS256 from an unconfigured key',
      async () => {
        const { privateKey } = await generateKeyPair('RS256');
        return new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setSubject(subOf('User', 1)).setExpirationTime('1h').sign(privateKey);
      },
    ],
    ['garbage', async () => 'not.a.jwt'],
    ['an unknown user', () => hs256Token(TEST_SECRET, { sub: subOf('User', 424242), expiresIn: '1h' })],
    ['a subject that is not a Deskgraph id', () => hs256Token(TEST_SECRET, { sub: 'admin', expiresIn: '1h' })],
  ];

  it.each(forgedCases)('refuses a token %s with UNAUTHENTICATED', async (_name, makeToken) => {
    const token = await makeToken();
    await app.as(token).expectCode(ME, undefined, 'UNAUTHENTICATED');
  });

  it('accepts a valid HS256 token minted outside Deskgraph with the shared secret', async () => {
    const token = await hs256Token(TEST_SECRET, { sub: subOf('User', adminId), expiresIn: '5m' });
    const { me } = await app.as(token).request(ME);
    expect(me.email).toBe(ADMIN_EMAIL);
  });

  it('tells an expired token apart from a forged one', async () => {
    const expired = await hs256Token(TEST_SECRET, { sub: subOf('User', adminId), iat: 1_000, expiresIn: 2_000 });
    const error = await app.as(expired).expectCode(ME, undefined, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('TOKEN_EXPIRED');
  });

  it('refuses a malformed Authorization header', async () => {
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic YWRtaW46cGFzcw==' },
      body: JSON.stringify({ query: ME }),
    });
    const body = await response.json();
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data ?? null).toBeNull();
  });
});

describe.each(['RS256', 'ES256'] as const)('host-issued %s tokens', (alg) => {
  let hosted: TestApp;
  let privateKey: CryptoKey;

  beforeAll(async () => {
    const pair = await generateKeyPair(alg);
    privateKey = pair.privateKey as CryptoKey;
    const base = await startTestApp();
    const jwt = { ...base.config.jwt, publicKeyPem: await exportSPKI(pair.publicKey), issuer: 'https://host.example', audience: 'deskgraph' };
    await base.running.stop();
    hosted = await startTestApp({ jwt }, base.dir);
  });
  afterAll(() => hosted.stop());

  const sign = (claims: { iss?: string; aud?: string; alg?: string }) =>
    new SignJWT({})
      .setProtectedHeader({ alg: claims.alg ?? alg })
      .setSubject(subOf('User', 1))
      .setIssuer(claims.iss ?? 'https://host.example')
      .setAudience(claims.aud ?? 'deskgraph')
      .setExpirationTime('10m')
      .sign(privateKey);

  it('accepts a token signed by the configured public key', async () => {
    const { me } = await hosted.as(await sign({})).request(ME);
    expect(me.email).toBe(ADMIN_EMAIL);
  });

  it('checks the issuer and the audience', async () => {
    await hosted.as(await sign({ iss: 'https://evil.example' })).expectCode(ME, undefined, 'UNAUTHENTICATED');
    await hosted.as(await sign({ aud: 'someone-else' })).expectCode(ME, undefined, 'UNAUTHENTICATED');
  });
});

describe('the user is read on every request', () => {
  it('puts a deactivated user out on their next request, and refuses their login', async () => {
    const { createUser } = await app.admin.request(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { name: 'Dora', email: 'dora@deskgraph.test', password: 'Dora-passw0rd', role: 'USER' } },
    );
    const { login } = await app.anonymous.request(LOGIN, { email: 'dora@deskgraph.test', password: 'Dora-passw0rd' });
    const dora = app.as(login.token);
    expect((await dora.request(ME)).me.role).toBe('USER');
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { active } }', { id: createUser.id });
    const error = await dora.expectCode(ME, undefined, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('USER_DEACTIVATED');
    await app.anonymous.expectCode(LOGIN, { email: 'dora@deskgraph.test', password: 'Dora-passw0rd' }, 'UNAUTHENTICATED');
  });

  it('applies a role change at once, without a new token', async () => {
    const { createUser } = await app.admin.request(
      `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { name: 'Rui', email: 'rui@deskgraph.test', password: 'Rui-passw0rd1', role: 'USER' } },
    );
    const { login } = await app.anonymous.request(LOGIN, { email: 'rui@deskgraph.test', password: 'Rui-passw0rd1' });
    const rui = app.as(login.token);
    await rui.expectCode('{ users { id } }', undefined, 'FORBIDDEN');
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { role: ADMIN }) { role } }', { id: createUser.id });
    const { users } = await rui.request('{ users { id } }');
    expect(users.length).toBeGreaterThan(1);
  });
});

describe('integration tokens', () => {
  it('may read sectors and channels but nothing of the agents, until revoked', async () => {
    const { createIntegration } = await app.admin.request('mutation { createIntegration(name: "WhatsApp bot") { token integration { id name } } }');
    const bot = app.as(createIntegration.token);
    const { channels } = await bot.request('{ channels { name isDefault } }');
    expect(channels).toEqual([{ name: 'Default', isDefault: true }]);
    await bot.expectCode(ME, undefined, 'FORBIDDEN');
    await bot.expectCode('{ users { id } }', undefined, 'FORBIDDEN');
    await bot.expectCode('mutation { createSector(input: { name: "Bots" }) { id } }', undefined, 'FORBIDDEN');

    await app.admin.request('mutation($id: ID!) { revokeIntegration(id: $id) { revokedAt } }', { id: createIntegration.integration.id });
    const error = await bot.expectCode('{ channels { name } }', undefined, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('REVOKED');
    const before = await app.snapshot();
    await app.admin.expectCode('mutation($id: ID!) { revokeIntegration(id: $id) { id } }', { id: createIntegration.integration.id }, 'CONFLICT');
    expect(await app.snapshot()).toBe(before);
  });
});

describe('login throttling', () => {
  it('throttles failures per e-mail, even for the right password, and shows when to retry', async () => {
    const throttled = await startTestApp({ loginThrottle: { failuresPerEmail: 3, failuresPerIp: 100, windowSeconds: 60 } });
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        const error = await throttled.anonymous.expectCode(LOGIN, { email: ADMIN_EMAIL, password: 'Wrong-passw0rd' }, 'UNAUTHENTICATED');
        expect(error.extensions?.['reason']).toBe('BAD_CREDENTIALS');
      }
      const blocked = await throttled.anonymous.expectCode(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, 'UNAUTHENTICATED');
      expect(blocked.extensions?.['reason']).toBe('TOO_MANY_ATTEMPTS');
      expect(blocked.extensions?.['retryAfterSeconds']).toBeGreaterThan(0);
      expect(blocked.extensions?.['retryAfterSeconds']).toBeLessThanOrEqual(60);
    } finally {
      await throttled.stop();
    }
  });

  it('throttles failures per IP across e-mails, but never successful logins of a shared office IP', async () => {
    const throttled = await startTestApp({ loginThrottle: { failuresPerEmail: 100, failuresPerIp: 5, windowSeconds: 60 } });
    try {
      for (let i = 0; i < 40; i++) await throttled.anonymous.request(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
      for (let i = 0; i < 5; i++) {
        await throttled.anonymous.expectCode(LOGIN, { email: `guess${i}@deskgraph.test`, password: 'Guess-passw0rd' }, 'UNAUTHENTICATED');
      }
      const blocked = await throttled.anonymous.expectCode(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, 'UNAUTHENTICATED');
      expect(blocked.extensions?.['reason']).toBe('TOO_MANY_ATTEMPTS');
    } finally {
      await throttled.stop();
    }
  });
});

describe('login throttling counts per key, in a window', () => {
  const attempt = async (app: TestApp, email: string, password: string, forwardedFor?: string): Promise<GqlError[]> => {
    if (!forwardedFor) return gqlClient(app.url).errors(LOGIN, { email, password });
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ query: LOGIN, variables: { email, password } }),
    });
    return (await response.json()).errors ?? [];
  };
  const reasonOf = (errors: { extensions?: Record<string, unknown> }[]) => errors[0]?.extensions?.['reason'] ?? 'SIGNED_IN';

  it('blocks one e-mail after its failures while another e-mail from the same IP signs in', async () => {
    const app = await startTestApp({ loginThrottle: { failuresPerEmail: 2, failuresPerIp: 100, windowSeconds: 60 } });
    try {
      const other = await createAgent(app, 'Other', []);
      for (let i = 0; i < 2; i++) expect(reasonOf(await attempt(app, ADMIN_EMAIL, 'Wrong-passw0rd'))).toBe('BAD_CREDENTIALS');
      expect(reasonOf(await attempt(app, ADMIN_EMAIL, ADMIN_PASSWORD))).toBe('TOO_MANY_ATTEMPTS');
      expect(reasonOf(await attempt(app, other.email, 'Other-Passw0rd'))).toBe('SIGNED_IN');
    } finally {
      await app.stop();
    }
  });

  it('with TRUST_PROXY counts per forwarded client IP, so another client behind the proxy is unaffected', async () => {
    const app = await startTestApp({ trustProxy: true, loginThrottle: { failuresPerEmail: 100, failuresPerIp: 3, windowSeconds: 60 } });
    try {
      for (let i = 0; i < 3; i++) expect(reasonOf(await attempt(app, `guess${i}@deskgraph.test`, 'Guess-passw0rd', '203.0.113.7, 10.0.0.1'))).toBe('BAD_CREDENTIALS');
      expect(reasonOf(await attempt(app, ADMIN_EMAIL, ADMIN_PASSWORD, '203.0.113.7'))).toBe('TOO_MANY_ATTEMPTS');
      expect(reasonOf(await attempt(app, ADMIN_EMAIL, ADMIN_PASSWORD, '198.51.100.9'))).toBe('SIGNED_IN');
    } finally {
      await app.stop();
    }
  });

  it('without TRUST_PROXY ignores X-Forwarded-For: a client cannot pick a fresh IP per guess', async () => {
    const app = await startTestApp({ loginThrottle: { failuresPerEmail: 100, failuresPerIp: 3, windowSeconds: 60 } });
    try {
      for (let i = 0; i < 3; i++) await attempt(app, `guess${i}@deskgraph.test`, 'Guess-passw0rd', `198.51.100.${i}`);
      expect(reasonOf(await attempt(app, ADMIN_EMAIL, ADMIN_PASSWORD, '198.51.100.99'))).toBe('TOO_MANY_ATTEMPTS');
    } finally {
      await app.stop();
    }
  });

  it('forgets failures when the window ends (the limiter reads Date, so the test moves Date)', async () => {
    const app = await startTestApp({ loginThrottle: { failuresPerEmail: 2, failuresPerIp: 100, windowSeconds: 600 } });
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-01T12:00:00Z') });
    try {
      for (let i = 0; i < 2; i++) await attempt(app, ADMIN_EMAIL, 'Wrong-passw0rd');
      vi.setSystemTime(new Date('2026-12-01T12:09:59Z'));
      const blocked = await attempt(app, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(reasonOf(blocked)).toBe('TOO_MANY_ATTEMPTS');
      expect(blocked[0]?.extensions?.['retryAfterSeconds']).toBe(1);
      vi.setSystemTime(new Date('2026-12-01T12:10:01Z'));
      expect(reasonOf(await attempt(app, ADMIN_EMAIL, ADMIN_PASSWORD))).toBe('SIGNED_IN');
    } finally {
      vi.useRealTimers();
      await app.stop();
    }
  });

  it('defaults to 5 failures per e-mail in a 15-minute window', async () => {
    const app = await startTestApp();
    try {
      for (let i = 0; i < 5; i++) expect(reasonOf(await attempt(app, ADMIN_EMAIL, 'Wrong-passw0rd'))).toBe('BAD_CREDENTIALS');
      const blocked = await attempt(app, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(reasonOf(blocked)).toBe('TOO_MANY_ATTEMPTS');
      expect(blocked[0]?.extensions?.['retryAfterSeconds']).toBeGreaterThan(880);
      expect(blocked[0]?.extensions?.['retryAfterSeconds']).toBeLessThanOrEqual(900);
    } finally {
      await app.stop();
    }
  });

  it('defaults to 50 failures per IP', async () => {
    const app = await startTestApp();
    try {
      for (let i = 0; i < 50; i++) expect(reasonOf(await attempt(app, `guess${i}@deskgraph.test`, 'Guess-passw0rd'))).toBe('BAD_CREDENTIALS');
      expect(reasonOf(await attempt(app, ADMIN_EMAIL, ADMIN_PASSWORD))).toBe('TOO_MANY_ATTEMPTS');
    } finally {
      await app.stop();
    }
  });
});

describe('host-issued tokens through a JWKS URL', () => {
  it('accepts a token whose key the JWKS publishes, and refuses one signed by another key', async () => {
    const { createServer } = await import('node:http');
    const { exportJWK } = await import('jose');
    const published = await generateKeyPair('ES256');
    const stranger = await generateKeyPair('ES256');
    const jwk = { ...(await exportJWK(published.publicKey)), kid: 'host-1', alg: 'ES256', use: 'sig' };
    const jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', () => resolve()));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as { port: number }).port}/.well-known/jwks.json`;
    const base = await startTestApp();
    const jwt = { ...base.config.jwt, jwksUrl };
    await base.running.stop();
    const hosted = await startTestApp({ jwt }, base.dir);
    try {
      const sign = (key: CryptoKey) => new SignJWT({}).setProtectedHeader({ alg: 'ES256', kid: 'host-1' }).setSubject(subOf('User', 1)).setExpirationTime('10m').sign(key);
      const { me } = await hosted.as(await sign(published.privateKey as CryptoKey)).request(ME);
      expect(me.email).toBe(ADMIN_EMAIL);
      await hosted.as(await sign(stranger.privateKey as CryptoKey)).expectCode(ME, undefined, 'UNAUTHENTICATED');
    } finally {
      await hosted.stop();
      jwksServer.close();
    }
  });
});

import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TEST_SECRET, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { withTestDatabase } from './helpers/database.js';
import { createAgent } from './helpers/fixtures.js';
import { gqlClient } from './helpers/gql.js';

const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token refreshToken expiresAt user { email } } }';
const REFRESH = 'mutation($token: String!) { refreshToken(token: $token) { token refreshToken expiresAt user { email } } }';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => app?.stop());

async function signIn(email = ADMIN_EMAIL, password = ADMIN_PASSWORD): Promise<{ token: string; refreshToken: string }> {
  return (await app.anonymous.request(LOGIN, { email, password })).login;
}

function refreshRows(): Promise<{ token_hash: string; family: string; rotated_at: number | null; revoked_at: number | null }[]> {
  return withTestDatabase(app.config.databaseUrl, (db) => db.rows('SELECT token_hash, family, rotated_at, revoked_at FROM refresh_tokens ORDER BY id'), { readonly: true });
}

describe('refresh tokens', () => {
  it('login hands out a refresh token, stored only as its SHA-256', async () => {
    const session = await signIn();
    expect(session.refreshToken).toMatch(/^dgr_[A-Za-z0-9_-]{43}$/);
    const hash = createHash('sha256').update(session.refreshToken).digest('hex');
    expect((await refreshRows()).map((row) => row.token_hash)).toContain(hash);
    expect(await app.snapshot()).not.toContain(session.refreshToken);
  });

  it('rotates: each refresh gives a working access token and a new refresh token; the old one stops working', async () => {
    const first = await signIn();
    const { refreshToken: second } = await app.anonymous.request(REFRESH, { token: first.refreshToken });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.user).toEqual({ email: ADMIN_EMAIL });
    expect((await app.as(second.token).request('{ me { email } }')).me.email).toBe(ADMIN_EMAIL);
    const { refreshToken: third } = await app.anonymous.request(REFRESH, { token: second.refreshToken });
    expect(third.refreshToken).toMatch(/^dgr_/);
  });

  it('reusing a rotated token revokes the whole family, the thief and the owner alike', async () => {
    const first = await signIn();
    const { refreshToken: second } = await app.anonymous.request(REFRESH, { token: first.refreshToken });
    const error = await app.anonymous.expectCode(REFRESH, { token: first.refreshToken }, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('REFRESH_TOKEN_REUSED');
    // The newest token of that session is dead too.
    const after = await app.anonymous.expectCode(REFRESH, { token: second.refreshToken }, 'UNAUTHENTICATED');
    expect(after.extensions?.['reason']).toBe('INVALID_REFRESH_TOKEN');
    const family = (await refreshRows()).find((row) => row.token_hash === createHash('sha256').update(first.refreshToken).digest('hex'))!.family;
    expect((await refreshRows()).filter((row) => row.family === family).every((row) => row.revoked_at !== null)).toBe(true);
  });

  it('of two refreshes racing with one token, one wins and the session ends for the other', async () => {
    const session = await signIn();
    const results = await Promise.all([0, 1].map(() => app.anonymous.errors(REFRESH, { token: session.refreshToken })));
    expect(results.map((errors) => errors[0]?.extensions?.['reason'] ?? 'OK').sort()).toEqual(['OK', 'REFRESH_TOKEN_REUSED']);
  });

  it('an unknown token is UNAUTHENTICATED and changes nothing', async () => {
    const before = await app.snapshot();
    const error = await app.anonymous.expectCode(REFRESH, { token: 'dgr_not-a-real-token' }, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('INVALID_REFRESH_TOKEN');
    expect(await app.snapshot()).toBe(before);
  });
});

describe('logout and revocation', () => {
  it("logout ends this token's session only", async () => {
    const agent = await createAgent(app, 'Lia', []);
    const password = 'Lia-Passw0rd';
    const phone = await signIn(agent.email, password);
    const laptop = await signIn(agent.email, password);
    expect((await app.as(phone.token).request('mutation { logout }')).logout).toBe(true);
    expect((await app.anonymous.expectCode(REFRESH, { token: phone.refreshToken }, 'UNAUTHENTICATED')).extensions?.['reason']).toBe('INVALID_REFRESH_TOKEN');
    expect((await app.anonymous.request(REFRESH, { token: laptop.refreshToken })).refreshToken.token).toBeTruthy();
    await app.anonymous.expectCode('mutation { logout }', undefined, 'UNAUTHENTICATED');
  });

  it('a password change revokes every refresh token of the user', async () => {
    const agent = await createAgent(app, 'Rui', []);
    const one = await signIn(agent.email, 'Rui-Passw0rd');
    const two = await signIn(agent.email, 'Rui-Passw0rd');
    await app.as(one.token).request('mutation { changeMyPassword(currentPassword: "Rui-Passw0rd", newPassword: "Rui-Passw0rd-2") { id } }');
    for (const session of [one, two]) await app.anonymous.expectCode(REFRESH, { token: session.refreshToken }, 'UNAUTHENTICATED');
  });

  it('deactivation and an ADMIN password reset revoke them too', async () => {
    const agent = await createAgent(app, 'Ana', []);
    const session = await signIn(agent.email, 'Ana-Passw0rd');
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { password: "Reset-Passw0rd" }) { id } }', { id: agent.id });
    await app.anonymous.expectCode(REFRESH, { token: session.refreshToken }, 'UNAUTHENTICATED');
    const again = await signIn(agent.email, 'Reset-Passw0rd');
    await app.admin.request('mutation($id: ID!) { updateUser(id: $id, input: { active: false }) { id } }', { id: agent.id });
    await app.anonymous.expectCode(REFRESH, { token: again.refreshToken }, 'UNAUTHENTICATED');
  });
});

describe('lifetimes', () => {
  it('an access token lasts JWT_TTL_SECONDS and a refresh token its own lifetime', async () => {
    const clock = testClock('2026-03-02T12:00:00Z');
    const short = await startTestApp({ clock, jwt: { secret: TEST_SECRET, userTokenTtlSeconds: 900, refreshTokenTtlSeconds: 3600, clockToleranceSeconds: 0 } });
    try {
      const session = (await short.anonymous.request(LOGIN, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })).login;
      expect(session.expiresAt).toBe('2026-03-02T12:15:00.000Z');
      clock.advance(901_000);
      await gqlClient(short.url, session.token).expectCode('{ me { id } }', undefined, 'UNAUTHENTICATED');
      const renewed = (await short.anonymous.request(REFRESH, { token: session.refreshToken })).refreshToken;
      expect((await short.as(renewed.token).request('{ me { email } }')).me.email).toBe(ADMIN_EMAIL);
      clock.advance(3601_000);
      const expired = await short.anonymous.expectCode(REFRESH, { token: renewed.refreshToken }, 'UNAUTHENTICATED');
      expect(expired.extensions?.['reason']).toBe('REFRESH_TOKEN_EXPIRED');
    } finally {
      await short.stop();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { createAgent, createSector, type Agent } from './helpers/fixtures.js';

// Whoever holds a stolen token must not guess the real password at full speed through
// changeMyPassword: its wrong passwords are throttled as failed logins are, on the same budget.

const CHANGE = 'mutation($current: String!, $next: String!) { changeMyPassword(currentPassword: $current, newPassword: $next) { id } }';
const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }';

let app: TestApp;
let sector: string;
beforeAll(async () => {
  app = await startTestApp({ loginThrottle: { failuresPerEmail: 3, failuresPerIp: 8, windowSeconds: 600 } });
  sector = await createSector(app, 'Sales');
});
afterAll(() => app.stop());

describe('changeMyPassword with wrong current passwords', () => {
  let ana: Agent;
  it('is refused with FORBIDDEN (TOO_MANY_ATTEMPTS) after the per-user budget, even with the right password, changing nothing', async () => {
    ana = await createAgent(app, 'Ana', [sector]);
    const before = await app.snapshot();
    for (let guess = 1; guess <= 3; guess++) {
      await ana.client.expectCode(CHANGE, { current: `Guess-${guess}-Passw0rd`, next: 'Stolen-Passw0rd1' }, 'BAD_USER_INPUT', 'currentPassword');
    }
    const blocked = await ana.client.expectCode(CHANGE, { current: 'Guess-4-Passw0rd', next: 'Stolen-Passw0rd1' }, 'FORBIDDEN', 'currentPassword');
    expect(blocked.extensions).toMatchObject({ reason: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: expect.any(Number) });
    // The right password is refused too while blocked, so the answer tells nothing about a guess.
    await ana.client.expectCode(CHANGE, { current: 'Ana-Passw0rd', next: 'Stolen-Passw0rd1' }, 'FORBIDDEN', 'currentPassword');
    expect(await app.snapshot()).toBe(before);
  });

  it('shares the budget with login: the same user cannot sign in with guesses either', async () => {
    const error = await app.anonymous.expectCode(LOGIN, { e: ana.email, p: 'Ana-Passw0rd' }, 'UNAUTHENTICATED');
    expect(error.extensions).toMatchObject({ reason: 'TOO_MANY_ATTEMPTS' });
  });

  it('counts per IP too: other users from the same address are stopped once the IP budget is spent', async () => {
    const bruno = await createAgent(app, 'Bruno', [sector]);
    const carla = await createAgent(app, 'Carla', [sector]);
    const before = await app.snapshot();
    // Ana spent 3 of the IP's 8; Bruno spends 3 (his own budget), Carla 2: the IP's budget is gone.
    for (let guess = 1; guess <= 3; guess++) await bruno.client.expectCode(CHANGE, { current: `Guess-${guess}-Passw0rd`, next: 'Stolen-Passw0rd1' }, 'BAD_USER_INPUT');
    for (let guess = 1; guess <= 2; guess++) await carla.client.expectCode(CHANGE, { current: `Guess-${guess}-Passw0rd`, next: 'Stolen-Passw0rd1' }, 'BAD_USER_INPUT');
    const blocked = await carla.client.expectCode(CHANGE, { current: 'Carla-Passw0rd', next: 'Carla-Passw0rd2' }, 'FORBIDDEN');
    expect(blocked.extensions).toMatchObject({ reason: 'TOO_MANY_ATTEMPTS' });
    expect(await app.snapshot()).toBe(before);
  });
});

describe('a right current password', () => {
  it('changes the password and clears the user\'s count of wrong ones', async () => {
    const fresh = await startTestApp({ loginThrottle: { failuresPerEmail: 3, failuresPerIp: 50, windowSeconds: 600 } });
    try {
      const dora = await createAgent(fresh, 'Dora', [await createSector(fresh, 'Support')]);
      for (let guess = 1; guess <= 2; guess++) await dora.client.expectCode(CHANGE, { current: `Guess-${guess}-Passw0rd`, next: 'Dora-Passw0rd2' }, 'BAD_USER_INPUT');
      await dora.client.request(CHANGE, { current: 'Dora-Passw0rd', next: 'Dora-Passw0rd2' });
      // Two more wrong ones would have blocked her without the reset.
      for (let guess = 1; guess <= 2; guess++) await dora.client.expectCode(CHANGE, { current: `Guess-${guess}-Passw0rd`, next: 'Dora-Passw0rd3' }, 'BAD_USER_INPUT');
      await dora.client.request(CHANGE, { current: 'Dora-Passw0rd2', next: 'Dora-Passw0rd3' });
      await fresh.anonymous.request(LOGIN, { e: dora.email, p: 'Dora-Passw0rd3' });
    } finally {
      await fresh.stop();
    }
  });
});

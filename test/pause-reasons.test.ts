import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { createAgent, createSector, type Agent } from './helpers/fixtures.js';

// "Today" starts at midnight in the account's zone (São Paulo, UTC-3): 2026-12-03T03:00:00Z.
const clock = testClock('2026-12-03T02:00:00Z'); // 23:00 on Dec 2 in São Paulo
const CREATE = 'mutation($name: String!) { createPauseReason(name: $name) { id name active } }';
const STATUS = 'mutation($s: AgentStatus!, $r: ID) { setMyStatus(status: $s, pauseReasonId: $r) { status pauseReason { name } } }';
const PANEL = `{ monitoring { agents { paused }
  agentList { user { name } status pauseReason { name } pausedSecondsToday }
  pauses { reason { name } agentsPaused pausedSecondsToday } } }`;
const minutes = (n: number) => n * 60_000;

let app: TestApp;
let ana: Agent;
let bob: Agent;
let lunch: string;
let training: string;

beforeAll(async () => {
  app = await startTestApp({
    clock,
    jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 365 * 86_400 },
    bootstrap: { ...testConfig('/tmp').bootstrap, timeZone: 'America/Sao_Paulo' },
  });
  const desk = await createSector(app, 'Desk');
  ana = await createAgent(app, 'Ana', [desk]);
  bob = await createAgent(app, 'Bob', [desk]);
  lunch = (await app.admin.request(CREATE, { name: 'Lunch' })).createPauseReason.id;
  training = (await app.admin.request(CREATE, { name: 'Training' })).createPauseReason.id;
});
afterAll(() => app.stop());

describe('pause reasons', () => {
  it('are defined by ADMINs, unique by name without case, renamed and deactivated; a refusal changes nothing', async () => {
    const before = await app.snapshot();
    await app.admin.expectCode(CREATE, { name: 'lunch' }, 'BAD_USER_INPUT', 'name');
    await app.admin.expectCode(CREATE, { name: '   ' }, 'BAD_USER_INPUT', 'name');
    await ana.client.expectCode(CREATE, { name: 'Coffee' }, 'FORBIDDEN');
    await ana.client.expectCode('{ pauseReasons(includeInactive: true) { name } }', {}, 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);

    const { createPauseReason: coffee } = await app.admin.request(CREATE, { name: 'Cofee' });
    const UPDATE = 'mutation($id: ID!, $input: UpdatePauseReasonInput!) { updatePauseReason(id: $id, input: $input) { name active } }';
    expect((await app.admin.request(UPDATE, { id: coffee.id, input: { name: 'Coffee' } })).updatePauseReason).toEqual({ name: 'Coffee', active: true });
    await app.admin.expectCode(UPDATE, { id: coffee.id, input: { name: 'TRAINING' } }, 'BAD_USER_INPUT', 'name');
    expect((await app.admin.request(UPDATE, { id: coffee.id, input: { active: false } })).updatePauseReason).toEqual({ name: 'Coffee', active: false });
    expect((await ana.client.request('{ pauseReasons { name } }')).pauseReasons).toEqual([{ name: 'Lunch' }, { name: 'Training' }]);
    expect((await app.admin.request('{ pauseReasons(includeInactive: true) { name } }')).pauseReasons.map((r: { name: string }) => r.name)).toEqual(['Coffee', 'Lunch', 'Training']);

    const unchanged = await app.snapshot();
    await ana.client.expectCode(STATUS, { s: 'PAUSED', r: coffee.id }, 'BAD_USER_INPUT', 'pauseReasonId'); // deactivated
    await ana.client.expectCode(STATUS, { s: 'PAUSED', r: Buffer.from('PauseReason:99999').toString('base64') }, 'BAD_USER_INPUT', 'pauseReasonId');
    await ana.client.expectCode(STATUS, { s: 'ONLINE', r: lunch }, 'BAD_USER_INPUT', 'pauseReasonId');
    expect(await app.snapshot()).toBe(unchanged);
  });

  it("shows agents per reason and time paused today, from midnight in the account's zone, across several pauses", async () => {
    // 23:00 the day before: Ana goes to lunch; only what falls after midnight counts today.
    expect((await ana.client.request(STATUS, { s: 'PAUSED', r: lunch })).setMyStatus).toEqual({ status: 'PAUSED', pauseReason: { name: 'Lunch' } });
    clock.set('2026-12-03T03:30:00Z'); // 00:30
    await ana.client.request(STATUS, { s: 'ONLINE' });
    clock.advance(minutes(30));
    await ana.client.request(STATUS, { s: 'PAUSED', r: training });
    clock.advance(minutes(10));
    await ana.client.request(STATUS, { s: 'ONLINE' });
    clock.advance(minutes(50)); // 02:00
    await ana.client.request(STATUS, { s: 'PAUSED', r: lunch });
    await bob.client.request(STATUS, { s: 'PAUSED' }); // no reason given
    clock.advance(minutes(20)); // 02:20

    const { monitoring } = await app.admin.request(PANEL);
    expect(monitoring.agents.paused).toBe(2);
    const byName = Object.fromEntries(monitoring.agentList.map((a: { user: { name: string } }) => [a.user.name, a]));
    expect(byName['Ana']).toMatchObject({ status: 'PAUSED', pauseReason: { name: 'Lunch' }, pausedSecondsToday: (30 + 10 + 20) * 60 });
    expect(byName['Bob']).toMatchObject({ status: 'PAUSED', pauseReason: null, pausedSecondsToday: 20 * 60 });
    expect(monitoring.pauses).toEqual([
      { reason: { name: 'Lunch' }, agentsPaused: 1, pausedSecondsToday: (30 + 20) * 60 },
      { reason: { name: 'Training' }, agentsPaused: 0, pausedSecondsToday: 10 * 60 },
      { reason: null, agentsPaused: 1, pausedSecondsToday: 20 * 60 },
    ]);

    // Back ONLINE: the reason goes, the time stays counted.
    clock.advance(minutes(5));
    expect((await ana.client.request(STATUS, { s: 'ONLINE' })).setMyStatus).toEqual({ status: 'ONLINE', pauseReason: null });
    clock.advance(minutes(60));
    const later = (await app.admin.request(PANEL)).monitoring;
    expect(later.agentList.find((a: { user: { name: string } }) => a.user.name === 'Ana').pausedSecondsToday).toBe((30 + 10 + 25) * 60);
    expect(later.pauses[0]).toEqual({ reason: { name: 'Lunch' }, agentsPaused: 0, pausedSecondsToday: (30 + 25) * 60 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, testConfig, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';

const clock = testClock('2026-12-03T15:00:00Z'); // Thursday, 15:00 UTC
const DECISION = `query($id: ID!) { ticket(id: $id) { status assignee { name } routingDecision {
  decidedAt mode sector { name } chosen { name } candidates { user { name } chosen skippedBecause openTickets } } } }`;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ clock, jwt: { ...testConfig('/tmp').jwt, userTokenTtlSeconds: 365 * 86_400 } });
});
afterAll(() => app.stop());

const reasonsOf = (decision: { candidates: { user: { name: string }; skippedBecause: string | null }[] }) =>
  Object.fromEntries(decision.candidates.map((candidate) => [candidate.user.name, candidate.skippedBecause]));

describe('Ticket.routingDecision', () => {
  it('names the agent chosen and why each other one was passed over, as it was at routing time', async () => {
    const queue = await createSector(app, 'Explained');
    const elsewhere = await createSector(app, 'Elsewhere');
    await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { routingMode: ROUND_ROBIN }) { id } }', { id: queue });
    await createAgent(app, 'Resting', [queue], {}, 'PAUSED');
    await createAgent(app, 'Nightly', [queue], { workingHours: { timeZone: 'UTC', intervals: [{ weekday: 'THURSDAY', start: '00:00', end: '06:00' }] } });
    await createAgent(app, 'Gone', [queue], {}, 'OFFLINE');
    const ready = await createAgent(app, 'Ready', [queue]);
    await createAgent(app, 'Outsider', [elsewhere]);

    const ticket = await contactWrites(app, { phone: '5511970000001', body: 'hello', sectorId: queue });
    const { ticket: routed } = await app.admin.request(DECISION, { id: ticket.id });
    expect(routed.assignee.name).toBe('Ready');
    expect(routed.routingDecision).toMatchObject({ decidedAt: '2026-12-03T15:00:00.000Z', mode: 'ROUND_ROBIN', sector: { name: 'Explained' }, chosen: { name: 'Ready' } });
    expect(reasonsOf(routed.routingDecision)).toMatchObject({
      Ready: null, Resting: 'PAUSED', Nightly: 'OUTSIDE_WORKING_HOURS', Gone: 'OFFLINE', Outsider: 'NOT_IN_SECTOR',
    });
    expect(routed.routingDecision.candidates.filter((c: { chosen: boolean }) => c.chosen)).toHaveLength(1);

    // Later changes do not rewrite history: Ready pausing now leaves the recorded decision as it was.
    await ready.client.request('mutation { setMyStatus(status: PAUSED) { id } }');
    expect(reasonsOf((await app.admin.request(DECISION, { id: ticket.id })).ticket.routingDecision).Ready).toBeNull();

    // With everyone unavailable the ticket waits, and the decision says why nobody got it.
    clock.advance(60_000);
    const waiting = await contactWrites(app, { phone: '5511970000002', body: 'anyone?', sectorId: queue });
    const { ticket: unrouted } = await app.admin.request(DECISION, { id: waiting.id });
    expect(unrouted).toMatchObject({ status: 'WAITING', assignee: null, routingDecision: { chosen: null, decidedAt: '2026-12-03T15:01:00.000Z' } });
    expect(reasonsOf(unrouted.routingDecision)).toMatchObject({ Ready: 'PAUSED', Resting: 'PAUSED', Nightly: 'OUTSIDE_WORKING_HOURS', Gone: 'OFFLINE' });
  });

  it('tells capacity and load apart under LEAST_BUSY', async () => {
    const queue = await createSector(app, 'Loaded');
    const full = await createAgent(app, 'Full', [queue], { maxConcurrentTickets: 1 });
    const busy = await createAgent(app, 'Busy', [queue]);
    await createAgent(app, 'Free', [queue]);
    for (const [agent, phone] of [[full, '5511970000010'], [busy, '5511970000011']] as const) {
      const t = await contactWrites(app, { phone, body: 'x', sectorId: queue });
      await agent.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: t.id });
    }
    await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { routingMode: LEAST_BUSY }) { id } }', { id: queue });
    const ticket = await contactWrites(app, { phone: '5511970000012', body: 'x', sectorId: queue });
    const { routingDecision } = (await app.admin.request(DECISION, { id: ticket.id })).ticket;
    expect(routingDecision.chosen.name).toBe('Free');
    expect(reasonsOf(routingDecision)).toMatchObject({ Free: null, Full: 'AT_CAPACITY', Busy: 'MORE_OPEN_TICKETS' });
    expect(routingDecision.candidates.find((c: { user: { name: string } }) => c.user.name === 'Busy').openTickets).toBe(1);
  });

  it('is null for a ticket of a MANUAL sector and FORBIDDEN to a USER, even one who sees the ticket', async () => {
    const manual = await createSector(app, 'ByHand');
    const agent = await createAgent(app, 'Hand', [manual]);
    const ticket = await contactWrites(app, { phone: '5511970000020', body: 'x', sectorId: manual });
    expect((await app.admin.request(DECISION, { id: ticket.id })).ticket.routingDecision).toBeNull();
    const errors = await agent.client.errors('query($id: ID!) { ticket(id: $id) { id routingDecision { mode } } }', { id: ticket.id });
    expect(errors[0]?.extensions?.['code']).toBe('FORBIDDEN');
    expect(errors[0]?.path).toEqual(['ticket', 'routingDecision']);
  });
});

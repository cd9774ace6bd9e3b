import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { testClock } from './helpers/clock.js';
import { contactWrites } from './helpers/fixtures.js';

const clock = testClock('2026-11-10T12:00:00.000Z');
let app: TestApp;

const CONTACTS = `query($from: DateTime, $to: DateTime) {
  contacts(lastInteractionFrom: $from, lastInteractionTo: $to, first: 50) { totalCount edges { node { name lastInteractionAt } } }
}`;

async function namesIn(from?: string, to?: string): Promise<{ names: string[]; total: number }> {
  const { contacts } = await app.admin.request(CONTACTS, { from, to });
  return { names: contacts.edges.map((edge: { node: { name: string } }) => edge.node.name).sort(), total: contacts.totalCount };
}

beforeAll(async () => {
  app = await startTestApp({ clock });
  // Three contacts whose last interactions are a millisecond-precise instant each.
  for (const [name, at] of [['Ana', '2026-11-10T12:00:00.000Z'], ['Bia', '2026-11-10T12:00:00.500Z'], ['Caio', '2026-11-10T12:00:01.000Z']] as const) {
    clock.set(at);
    await contactWrites(app, { phone: `+55 11 9000-${name.length}${name.charCodeAt(0)}`, name, body: 'Hi' });
  }
});
afterAll(async () => app?.stop());

describe('contacts by period of last interaction (edges inclusive)', () => {
  it('includes a contact exactly at either edge, to the millisecond', async () => {
    expect(await namesIn('2026-11-10T12:00:00.000Z', '2026-11-10T12:00:01.000Z')).toEqual({ names: ['Ana', 'Bia', 'Caio'], total: 3 });
    expect(await namesIn('2026-11-10T12:00:00.500Z', '2026-11-10T12:00:00.500Z')).toEqual({ names: ['Bia'], total: 1 });
  });

  it('leaves a contact out one millisecond past an edge', async () => {
    expect(await namesIn('2026-11-10T12:00:00.001Z', '2026-11-10T12:00:00.999Z')).toEqual({ names: ['Bia'], total: 1 });
    expect(await namesIn('2026-11-10T12:00:00.501Z')).toEqual({ names: ['Caio'], total: 1 });
    expect(await namesIn(undefined, '2026-11-10T12:00:00.499Z')).toEqual({ names: ['Ana'], total: 1 });
  });

  it('takes the calendar ends (years 0001 and 9999) and a far cursor either way like any other instant', async () => {
    expect(await namesIn('0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z')).toEqual({ names: ['Ana', 'Bia', 'Caio'], total: 3 });
    expect(await namesIn('0001-01-01T00:00:00.000Z', '0001-12-31T23:59:59.999Z')).toEqual({ names: [], total: 0 });
    // A cursor at the largest instant and id a cursor may carry: everyone is older, nobody newer.
    const far = Buffer.from('999999999999999:999999999999999').toString('base64url');
    const PAGE = 'query($after: String, $before: String, $last: Int) { contacts(after: $after, before: $before, last: $last) { edges { node { name } } } }';
    expect((await app.admin.request(PAGE, { after: far })).contacts.edges.map((edge: { node: { name: string } }) => edge.node.name)).toEqual(['Caio', 'Bia', 'Ana']);
    expect((await app.admin.request(PAGE, { before: far, last: 2 })).contacts.edges).toEqual([]);
  });

  it('refuses a period that ends before it starts, and a malformed instant, changing nothing', async () => {
    const before = await app.snapshot();
    await app.admin.expectCode(CONTACTS, { from: '2026-11-10T12:00:00.001Z', to: '2026-11-10T12:00:00.000Z' }, 'BAD_USER_INPUT', 'lastInteractionTo');
    await app.admin.expectCode(CONTACTS, { from: 'yesterday' }, 'BAD_USER_INPUT', 'from');
    // Year 0000 exists in ISO 8601 but in no engine's calendar (PostgreSQL has none): refused like garbage.
    await app.admin.expectCode(CONTACTS, { from: '0000-06-01T00:00:00.000Z' }, 'BAD_USER_INPUT');
    expect(await app.snapshot()).toBe(before);
  });
});

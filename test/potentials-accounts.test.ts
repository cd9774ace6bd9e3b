import { describe, expect, it } from 'vitest';
import { anotherAccount, platformHost } from './helpers/accounts.js';
import { startTestApp } from './helpers/app.js';
import { contactWrites, createAgent } from './helpers/fixtures.js';

// Unsectored WAITING tickets carry no sector tying them to an account: the potentials branch checks it.
describe('potentials', () => {
it('stay in their account: another account\'s unsectored tickets neither count nor cut a page short', async () => {
  const host = await platformHost();
  const app = await startTestApp({ ...host.settings, passwords: { memoryCost: 1024, timeCost: 1 } });
  try {
    const pia = await createAgent(app, 'Pia', [], { canViewUnsectored: true });
    const mine = await contactWrites(app, { phone: '551190000009', body: 'here' });
    const other = await anotherAccount(app, host, 'Other Co');
    for (const phone of ['551190000009', '551190000010', '551190000011']) {
      await other.admin.request('mutation($c: ID!, $p: String!) { ingestMessage(input: { contact: { phone: $p }, body: "elsewhere", channelId: $c }) { id } }', { c: other.channelId, p: phone });
    }
    const searched = await pia.client.request('{ tickets(status: WAITING, search: "551190000009") { totalCount edges { node { id } } } }');
    const first = await pia.client.request('{ tickets(status: WAITING, first: 1) { totalCount pageInfo { hasNextPage } edges { node { id } } } }');
    expect(searched.tickets.totalCount).toBe(1);
    expect(first.tickets.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([mine.id]);
    expect(first.tickets.totalCount).toBe(1);
  } finally {
    await app.stop();
  }
});
});

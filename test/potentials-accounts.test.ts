import { describe, expect, it } from 'vitest';
import { startTestApp } from './helpers/app.js';
import { contactWrites, createAgent } from './helpers/fixtures.js';

// Unsectored WAITING tickets carry no sector tying them to an account: the potentials branch checks it.
describe('potentials', () => {
it('stay in their account: another account\'s unsectored tickets neither count nor cut a page short', async () => {
  const app = await startTestApp({ passwords: { memoryCost: 1024, timeCost: 1 } });
  try {
    const pia = await createAgent(app, 'Pia', [], { canViewUnsectored: true });
    const mine = await contactWrites(app, { phone: '551190000009', body: 'here' });
    const services = app.running.services;
    await services.store.write(async (tx) => {
      const account = await tx.accounts.insert({ name: 'Other Co', timeZone: 'UTC' }, new Date());
      await tx.users.insert({ accountId: account.id, name: 'Otto', email: 'otto@other.test', passwordHash: await services.passwords.hash('Otto-passw0rd'), role: 'ADMIN', active: true, avatarUrl: null, phone: null, status: 'ONLINE', canDismissWaiting: true, canViewAllContacts: true, canMonitor: true, maxConcurrentTickets: null, workingHours: null }, new Date());
    });
    const { login } = await app.anonymous.request('mutation { login(email: "otto@other.test", password: "Otto-passw0rd") { token } }');
    const otto = app.as(login.token);
    const { createChannel } = await otto.request('mutation { createChannel(input: { name: "Other", kind: API }) { id } }');
    for (const phone of ['551190000009', '551190000010', '551190000011']) {
      await otto.request('mutation($c: ID!, $p: String!) { ingestMessage(input: { contact: { phone: $p }, body: "elsewhere", channelId: $c }) { id } }', { c: createChannel.id, p: phone });
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

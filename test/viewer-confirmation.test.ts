import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';

// ticket(id), the tabs and the tab counts start from the user as this instance last read them and read the
// user again inside their own statement (schema/viewer-confirmation.ts). Nothing tells the instance of a change (the admin's mutation
// could as well have gone through another instance): every change below must still apply on the very next
// request, as when the user is read before the operation.

const TICKET = 'query($id: ID!) { ticket(id: $id) { id protocol sector { name } } }';
const TABS = '{ ticketCounts { waiting } tickets(status: WAITING, first: 50) { totalCount edges { node { id } } } }';

let app: TestApp;
let sales: string;
let support: string;
let salesTicket: string;
let supportTicket: string;

beforeAll(async () => {
  app = await startTestApp();
  sales = await createSector(app, 'Sales');
  support = await createSector(app, 'Support');
  salesTicket = (await contactWrites(app, { phone: '+55 11 94444-0001', name: 'Maria', body: 'a sale', sectorId: sales })).id;
  supportTicket = (await contactWrites(app, { phone: '+55 11 94444-0002', name: 'João', body: 'broken', sectorId: support })).id;
});
afterAll(() => app.stop());

/** An agent of Sales who has just read a Sales ticket, so the instance holds their user. */
async function warmSalesAgent(name: string): Promise<Agent> {
  const agent = await createAgent(app, name, [sales]);
  expect((await agent.client.request(TICKET, { id: salesTicket })).ticket.sector.name).toBe('Sales');
  expect((await agent.client.request(TICKET, { id: supportTicket })).ticket).toBeNull();
  return agent;
}

const updateUser = (id: string, input: Record<string, unknown>) =>
  app.admin.request('mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id } }', { id, input });

/** What the tabs show: the WAITING count, and the ids of the WAITING tab. */
async function tabsOf(agent: Agent) {
  const { ticketCounts, tickets } = await agent.client.request(TABS);
  expect(tickets.totalCount).toBe(ticketCounts.waiting);
  return tickets.edges.map((edge: { node: { id: string } }) => edge.node.id);
}

describe("a console's hot reads confirm their viewer in their own read", () => {
  it('applies a sector change on the next read', async () => {
    const ana = await warmSalesAgent('Ana');
    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: ana.id, s: [support] });
    expect((await ana.client.request(TICKET, { id: salesTicket })).ticket).toBeNull();
    expect((await ana.client.request(TICKET, { id: supportTicket })).ticket.sector.name).toBe('Support');
    // Both aliases answer as the user now is, whichever of them confirmed the change.
    const both = await ana.client.request(`{ a: ticket(id: "${salesTicket}") { id } b: ticket(id: "${supportTicket}") { id } }`);
    expect(both).toEqual({ a: null, b: { id: supportTicket } });
  });

  it('applies a sector change to the tabs and their counts on the next read', async () => {
    const eva = await warmSalesAgent('Eva');
    expect(await tabsOf(eva)).toEqual([salesTicket]);
    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: eva.id, s: [support] });
    expect(await tabsOf(eva)).toEqual([supportTicket]);
    const { ticketCounts } = await eva.client.request('{ ticketCounts { waiting } }');
    expect(ticketCounts.waiting).toBe(1);
    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: eva.id, s: [sales, support] });
    const { tickets } = await eva.client.request('{ tickets(status: WAITING, first: 50) { edges { node { id } } } }');
    expect(tickets.edges.map((edge: { node: { id: string } }) => edge.node.id).sort()).toEqual([salesTicket, supportTicket].sort());
  });

  it('applies a role change on the next read, both ways', async () => {
    const bia = await warmSalesAgent('Bia');
    await updateUser(bia.id, { role: 'ADMIN' });
    expect((await bia.client.request(TICKET, { id: supportTicket })).ticket.id).toBe(supportTicket);
    await updateUser(bia.id, { role: 'USER' });
    expect((await bia.client.request(TICKET, { id: supportTicket })).ticket).toBeNull();
  });

  it('refuses a deactivated user on the next read, with HTTP 401, as any scoped field does', async () => {
    const caio = await warmSalesAgent('Caio');
    await caio.client.expectCode('{ tickets(status: WAITING, sectorId: "U2VjdG9yOjk5OTk=") { edges { node { id } } } }', undefined, 'BAD_USER_INPUT', 'sectorId');
    await updateUser(caio.id, { active: false });
    const error = await caio.client.expectCode(TICKET, { id: salesTicket }, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('USER_DEACTIVATED');
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${caio.token}` },
      body: JSON.stringify({ query: TICKET, variables: { id: salesTicket } }),
    });
    expect(response.status).toBe(401);
    const body = await response.json();
    expect(body.errors[0].extensions).toEqual({ code: 'UNAUTHENTICATED', reason: 'USER_DEACTIVATED' });
    expect(body.data?.ticket ?? null).toBeNull();
    // The tabs and counts are refused the same way, and so is a bad argument: the refusal comes first.
    for (const query of [TABS, '{ ticketCounts { open } }', '{ tickets(status: WAITING, sectorId: "U2VjdG9yOjk5OTk=") { edges { node { id } } } }', '{ me { id } }']) {
      await updateUser(caio.id, { active: true });
      expect((await caio.client.request(TICKET, { id: salesTicket })).ticket.id).toBe(salesTicket);
      await updateUser(caio.id, { active: false });
      const other = await caio.client.expectCode(query, undefined, 'UNAUTHENTICATED');
      expect(other.extensions?.['reason']).toBe('USER_DEACTIVATED');
    }
    // Active again: let in on the next request.
    await updateUser(caio.id, { active: true });
    expect((await caio.client.request(TICKET, { id: salesTicket })).ticket.id).toBe(salesTicket);
  });

  it('confirms the viewer before any other operation runs', async () => {
    const dora = await warmSalesAgent('Dora');
    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: dora.id, s: [support] });
    // ticket(id) beside another root field: the user is read before the operation, as for any operation.
    const mixed = await dora.client.request(`{ ticket(id: "${salesTicket}") { id } me { sectors { name } } }`);
    expect(mixed).toEqual({ ticket: null, me: { sectors: [{ name: 'Support' }] } });
    await updateUser(dora.id, { active: false });
    const refused = await dora.client.expectCode('{ me { id } }', undefined, 'UNAUTHENTICATED');
    expect(refused.extensions?.['reason']).toBe('USER_DEACTIVATED');
  });
});

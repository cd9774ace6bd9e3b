import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TicketScope, TicketStatus } from '../db/types.js';
import { canSeeTicket } from '../resolvers/visibility.js';
import { defaultLimits } from '../schema/protection.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { engine, openTestDatabase } from './helpers/database.js';
import type { GqlClient } from './helpers/gql.js';
import { contactWrites, createAgent, createSector } from './helpers/fixtures.js';

// Random sectors, memberships, roles, tickets and moves, then every read path of every viewer is
// compared with an oracle: the rule written plainly over raw rows read straight from the file.

const SEED = Number(process.env['PROPERTY_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 50);
const localId = (globalId: string) => Number(Buffer.from(globalId, 'base64').toString().split(':')[1]);
const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

interface Row { id: number; status: string; sector_id: number | null; assignee_id: number | null; contact_id: number; account_id: number }
interface Viewer { client: GqlClient; userId: number; role: 'ADMIN' | 'USER'; sectorIds: number[]; potentials: boolean }

function oracleSees(viewer: Viewer, ticket: Row): boolean {
  if (ticket.account_id !== 1) return false;
  if (viewer.role === 'ADMIN') return true;
  if (ticket.sector_id === null && ticket.status === 'WAITING' && viewer.potentials) return true; // canViewUnsectored
  return ticket.assignee_id === viewer.userId || (ticket.sector_id !== null && viewer.sectorIds.includes(ticket.sector_id));
}

const scenario = fc.record({
  sectors: fc.integer({ min: 2, max: 3 }),
  agents: fc.array(fc.record({ admin: fc.boolean(), potentials: fc.boolean(), memberships: fc.array(fc.nat(2), { maxLength: 3 }) }), { minLength: 1, maxLength: 4 }),
  // Few contacts, so one contact often has tickets in several sectors (fresh: its live ticket is closed first).
  tickets: fc.array(fc.record({ contact: fc.nat(2), sector: fc.option(fc.nat(2), { nil: null }), fresh: fc.boolean() }), { minLength: 2, maxLength: 8 }),
  moves: fc.array(
    fc.record({
      actor: fc.nat(4),
      ticket: fc.nat(7),
      kind: fc.constantFrom('accept', 'close', 'reopen', 'toSector', 'toAgent', 'takeNext', 'message', 'setSectors', 'deactivate'),
      target: fc.nat(4),
      sectors: fc.subarray([0, 1, 2]),
    }),
    { maxLength: 12 },
  ),
});

const TAB = `query($status: TicketStatus!, $all: Boolean, $sectorId: ID, $search: String, $after: String) {
  tickets(status: $status, all: $all, sectorId: $sectorId, search: $search, first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } }`;

interface TabRead { args: Record<string, string | boolean>; expected: Row[] }

/** `status: WAITING, sectorId: "..."`: the status an enum literal, the rest JSON literals (valid GraphQL). */
const tabArguments = ({ status, ...rest }: Record<string, string | boolean>) =>
  [`status: ${status}`, ...Object.entries(rest).map(([name, value]) => `${name}: ${JSON.stringify(value)}`)].join(', ');

const idsOf = (edges: { node: { id: string } }[]) => edges.map((edge) => localId(edge.node.id)).sort((a, b) => a - b);

const sorted = (rows: Row[]) => rows.map((row) => row.id).sort((a, b) => a - b);

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** A second account, its ADMIN and one ticket there: no viewer of the first account may ever meet it. */
async function anotherAccountsTicket(app: TestApp): Promise<void> {
  const services = app.running.services;
  await services.store.write(async (tx) => {
    const account = await tx.accounts.insert({ name: 'Other Co', timeZone: 'UTC' }, new Date());
    await tx.users.insert(
      {
        accountId: account.id, name: 'Otto', email: 'otto@other.test', passwordHash: await services.passwords.hash('Otto-passw0rd'),
        role: 'ADMIN', active: true, avatarUrl: null, phone: null, status: 'ONLINE', canDismissWaiting: true,
        canViewAllContacts: true, canMonitor: true, maxConcurrentTickets: null, workingHours: null,
      },
      new Date(),
    );
  });
  const { login } = await app.anonymous.request('mutation { login(email: "otto@other.test", password: "Otto-passw0rd") { token } }');
  const otto = app.as(login.token);
  const { createChannel } = await otto.request('mutation { createChannel(input: { name: "Other", kind: API }) { id } }');
  const { createSector } = await otto.request('mutation { createSector(input: { name: "Other sector" }) { id } }');
  await otto.request('mutation($c: ID!, $s: ID!) { ingestMessage(input: { contact: { phone: "551190000009" }, body: "elsewhere", channelId: $c, sectorId: $s }) { id } }', { c: createChannel.id, s: createSector.id });
}

// A viewer's every read path goes in one request: more aliases, tokens and cost than a console sends.
const wholeReadLimits = { ...defaultLimits, maxAliases: 500, maxTokens: 50_000, maxCost: 10_000_000 };

let splitContacts = 0;
let runs = 0;

async function runScenario(app: TestApp, input: Scenario): Promise<void> {
  const sectorIds: string[] = [];
  for (let s = 0; s < input.sectors; s++) sectorIds.push(await createSector(app, `S${s}-${Math.random().toString(36).slice(2, 8)}`));
  const agents = [];
  for (const [index, spec] of input.agents.entries()) {
    const memberships = [...new Set(spec.memberships.filter((m) => m < input.sectors).map((m) => sectorIds[m]!))];
    const agent = await createAgent(app, `Agent${index}`, memberships, { canViewUnsectored: spec.potentials, ...(spec.admin ? { role: 'ADMIN' } : {}) });
    agents.push({ ...agent, admin: spec.admin, potentials: spec.potentials, memberships });
  }
  // Always present, then moved by the random steps like the rest: an agent of the first sector alone,
  // and a contact with one ticket there and one in the second sector.
  agents.push({ ...(await createAgent(app, 'Fixed', [sectorIds[0]!])), admin: false, potentials: false, memberships: [sectorIds[0]!] });
  const tickets: { id: string; phone: string }[] = [];
  const shared = '551190000009';
  const there = await contactWrites(app, { phone: shared, body: 'first', sectorId: sectorIds[0]! });
  await app.admin.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: there.id });
  const elsewhere = await contactWrites(app, { phone: shared, body: 'second', sectorId: sectorIds[1]! });
  tickets.push({ id: there.id, phone: shared }, { id: elsewhere.id, phone: shared });
  for (const spec of input.tickets) {
    const sector = spec.sector === null || spec.sector >= input.sectors ? undefined : sectorIds[spec.sector];
    const phone = `55119000000${spec.contact}`;
    const live = tickets.findLast((ticket) => ticket.phone === phone);
    if (spec.fresh && live) await app.admin.errors('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: live.id });
    const ticket = await contactWrites(app, { phone, body: 'hello', ...(sector ? { sectorId: sector } : {}) });
    if (!tickets.some((known) => known.id === ticket.id)) tickets.push({ id: ticket.id, phone });
  }
  const deactivated = new Set<string>();
  for (const move of input.moves) {
    const actor = agents[move.actor % agents.length]!;
    const ticket = tickets[move.ticket % tickets.length]!;
    const target = agents[move.target % agents.length]!;
    if (move.kind === 'message') {
      const written = await contactWrites(app, { phone: ticket.phone, body: 'again' });
      if (!tickets.some((known) => known.id === written.id)) tickets.push({ id: written.id, phone: ticket.phone });
      continue;
    }
    if (move.kind === 'setSectors' || move.kind === 'deactivate') {
      const [query, variables]: [string, Record<string, unknown>] =
        move.kind === 'setSectors'
          ? ['mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: target.id, s: move.sectors.filter((m) => m < input.sectors).map((m) => sectorIds[m]) }]
          : ['mutation($u: ID!) { updateUser(id: $u, input: { active: false }) { id } }', { u: target.id }];
      await app.admin.request(query, variables);
      if (move.kind === 'deactivate') deactivated.add(target.id);
      continue;
    }
    const ops: Record<string, [string, Record<string, unknown>]> = {
      accept: ['mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: ticket.id }],
      close: ['mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticket.id }],
      reopen: ['mutation($id: ID!) { reopenTicket(id: $id) { id } }', { id: ticket.id }],
      toSector: ['mutation($id: ID!, $s: ID) { transferTicket(id: $id, sectorId: $s) { id } }', { id: ticket.id, s: sectorIds[move.target % sectorIds.length] }],
      toAgent: ['mutation($id: ID!, $u: ID) { transferTicket(id: $id, userId: $u) { id } }', { id: ticket.id, u: agents[move.target % agents.length]!.id }],
      takeNext: ['mutation { takeNextTicket { id } }', {}],
    };
    const [query, variables] = ops[move.kind]!;
    const errors = await actor.client.errors(query, variables);
    for (const error of errors) {
      expect(['NOT_FOUND', 'FORBIDDEN', 'CONFLICT', 'TICKET_ALREADY_TAKEN', 'BAD_USER_INPUT', 'UNAUTHENTICATED']).toContain(error.extensions?.['code']);
    }
  }

  await anotherAccountsTicket(app);
  const db = await openTestDatabase(app.config.databaseUrl, { readonly: true });
  const rows = await db.rows<Row>('SELECT id, status, sector_id, assignee_id, contact_id, account_id FROM tickets');
  const memberships = await db.rows<{ user_id: number; sector_id: number }>('SELECT user_id, sector_id FROM user_sectors');
  const contacts = await db.rows<{ id: number; phone: string }>('SELECT id, phone FROM contacts');
  await db.close();

  const me = await app.admin.request('{ me { id } }');
  const viewers: Viewer[] = [
    { client: app.admin, userId: localId(me.me.id), role: 'ADMIN', sectorIds: [], potentials: false },
    ...agents.filter((agent) => !deactivated.has(agent.id)).map((agent) => {
      const userId = localId(agent.id);
      return { client: agent.client, userId, role: agent.admin ? ('ADMIN' as const) : ('USER' as const), sectorIds: memberships.filter((m) => m.user_id === userId).map((m) => m.sector_id), potentials: agent.potentials };
    }),
  ];

  // A deactivated agent reads nothing at all, from the next request on.
  for (const agent of agents.filter((candidate) => deactivated.has(candidate.id))) {
    await agent.client.expectCode('{ ticketCounts { waiting } }', undefined, 'UNAUTHENTICATED');
  }
  // Count the runs that reached the case that matters: a contact with a ticket a viewer sees and one it does not.
  const contactIds = [...new Set(rows.map((row) => row.contact_id))];
  const split = (viewer: Viewer) => contactIds.some((contactId) => {
    const own = rows.filter((row) => row.contact_id === contactId);
    return own.some((row) => oracleSees(viewer, row)) && own.some((row) => !oracleSees(viewer, row));
  });
  if (viewers.some(split)) splitContacts += 1;
  runs += 1;

  for (const viewer of viewers) {
    const visible = rows.filter((row) => oracleSees(viewer, row));
    const scope: TicketScope =
      viewer.role === 'ADMIN'
        ? { kind: 'account', accountId: 1, userId: viewer.userId }
        : { kind: 'agent', accountId: 1, userId: viewer.userId, sectorIds: viewer.sectorIds, potentials: viewer.potentials };
    // The in-memory form agrees with the oracle on every ticket.
    for (const row of rows) {
      expect(canSeeTicket(scope, { accountId: row.account_id, status: row.status as TicketStatus, sectorId: row.sector_id, assigneeId: row.assignee_id })).toBe(oracleSees(viewer, row));
    }
    const tabs: TabRead[] = [
      { args: { status: 'WAITING' }, expected: visible.filter((r) => r.status === 'WAITING') },
      { args: { status: 'OPEN' }, expected: rows.filter((r) => r.status === 'OPEN' && r.assignee_id === viewer.userId) },
      { args: { status: 'OPEN', all: true }, expected: visible.filter((r) => r.status === 'OPEN') },
      { args: { status: 'CLOSED' }, expected: visible.filter((r) => r.status === 'CLOSED') },
    ];
    for (const sectorId of sectorIds.slice(0, 2)) {
      tabs.push(
        { args: { status: 'WAITING', sectorId }, expected: visible.filter((r) => r.status === 'WAITING' && r.sector_id === localId(sectorId)) },
        { args: { status: 'CLOSED', sectorId }, expected: visible.filter((r) => r.status === 'CLOSED' && r.sector_id === localId(sectorId)) },
        { args: { status: 'OPEN', sectorId }, expected: rows.filter((r) => r.status === 'OPEN' && r.assignee_id === viewer.userId && r.sector_id === localId(sectorId)) },
        { args: { status: 'OPEN', all: true, sectorId }, expected: visible.filter((r) => r.status === 'OPEN' && r.sector_id === localId(sectorId)) },
      );
    }
    // The other account's contact shares a phone with one of ours: a search finds our contact's tickets.
    const phoneOf = (contactId: number) => contacts.find((contact) => contact.id === contactId)!.phone;
    for (const phone of new Set(contactIds.map(phoneOf))) {
      tabs.push({ args: { status: 'WAITING', search: phone }, expected: visible.filter((r) => r.status === 'WAITING' && phoneOf(r.contact_id) === phone) });
    }
    // Every read path of this viewer in one request: a tab per alias, ticket(id) per alias (node(id)
    // goes through the loader, many ids at once), each contact's tickets.
    const data = await viewer.client.request(`{
      ${tabs.map((tab, i) => `tab${i}: tickets(${tabArguments(tab.args)}, first: 100) { totalCount pageInfo { hasNextPage } edges { node { id } } }`).join('\n')}
      ticketCounts { waiting open closed }
      ${rows.map((row) => `ticket${row.id}: ticket(id: "${globalId('Ticket', row.id)}") { id } node${row.id}: node(id: "${globalId('Ticket', row.id)}") { id }`).join('\n')}
      ${contactIds.map((id) => `contact${id}: node(id: "${globalId('Contact', id)}") { ... on Contact { tickets(first: 100) { totalCount edges { node { id } } } } }`).join('\n')}
    }`);
    for (const [i, { args, expected }] of tabs.entries()) {
      const page = data[`tab${i}`];
      // At most a few dozen tickets: one page holds a whole tab.
      expect(page.pageInfo.hasNextPage, JSON.stringify(args)).toBe(false);
      expect(idsOf(page.edges), JSON.stringify(args)).toEqual(sorted(expected));
      expect(page.totalCount, JSON.stringify(args)).toBe(expected.length);
    }
    expect(data.ticketCounts).toEqual({
      waiting: visible.filter((r) => r.status === 'WAITING').length,
      open: rows.filter((r) => r.status === 'OPEN' && r.assignee_id === viewer.userId).length,
      closed: visible.filter((r) => r.status === 'CLOSED').length,
    });
    for (const row of rows) {
      expect(data[`ticket${row.id}`] !== null, `ticket(${row.id})`).toBe(oracleSees(viewer, row));
      expect(data[`node${row.id}`] !== null, `node(${row.id})`).toBe(oracleSees(viewer, row));
    }
    for (const contactId of contactIds) {
      const node = data[`contact${contactId}`];
      const expected = visible.filter((row) => row.contact_id === contactId);
      // A contact with no ticket I see is, for me, a missing contact; another account's, for everyone.
      const foreign = rows.some((row) => row.contact_id === contactId && row.account_id !== 1);
      if ((viewer.role === 'USER' || foreign) && expected.length === 0) {
        expect(node, `contact ${contactId}`).toBeNull();
        continue;
      }
      expect(idsOf(node.tickets.edges)).toEqual(sorted(expected));
      expect(node.tickets.totalCount).toBe(expected.length);
    }
  }
}

describe('visibility: one rule on every read path', () => {
  it(`matches a plain oracle for random sectors, memberships, roles, tickets and moves (seed ${SEED})`, { timeout: engine === 'postgres' ? 480_000 : 240_000 }, async () => {
    console.info(`visibility seed: ${SEED} (PROPERTY_SEED=${SEED} to replay, PROPERTY_SHRINK=1 to shrink)`);
    await fc.assert(
      fc.asyncProperty(scenario, async (input) => {
        const app = await startTestApp({ passwords: { memoryCost: 1024, timeCost: 1 }, limits: wholeReadLimits });
        try {
          await runScenario(app, input);
        } finally {
          await app.stop();
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: !process.env['PROPERTY_SHRINK'] },
    );
    expect(splitContacts / runs, `share of runs with a contact split between visible and invisible tickets (${splitContacts}/${runs})`).toBeGreaterThan(0.5);
  });
});

describe('a sector filter on tickets assigned to me', () => {
  it('keeps my tickets of other sectors out of the OPEN and CLOSED tabs filtered by sector', async () => {
    const app = await startTestApp({ passwords: { memoryCost: 1024, timeCost: 1 } });
    try {
      const [one, two] = [await createSector(app, 'One'), await createSector(app, 'Two')];
      const agent = await createAgent(app, 'Mia', [one]);
      const here = await contactWrites(app, { phone: '551190000101', body: 'here', sectorId: one });
      const there = await contactWrites(app, { phone: '551190000102', body: 'there', sectorId: two });
      await agent.client.request('mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id: here.id });
      await app.admin.request('mutation($id: ID!, $u: ID) { transferTicket(id: $id, userId: $u) { id } }', { id: there.id, u: agent.id });
      const ids = async (status: string, sectorId: string) =>
        (await agent.client.request(TAB, { status, sectorId })).tickets.edges.map((edge: { node: { id: string } }) => edge.node.id);
      expect(await ids('OPEN', one)).toEqual([here.id]);
      expect(await ids('OPEN', two)).toEqual([there.id]);
      for (const ticket of [here, there]) await agent.client.request('mutation($id: ID!) { closeTicket(id: $id) { id } }', { id: ticket.id });
      expect(await ids('CLOSED', one)).toEqual([here.id]);
      expect(await ids('CLOSED', two)).toEqual([there.id]);
    } finally {
      await app.stop();
    }
  });
});

import fc from 'fast-check';
import { ClientError } from 'graphql-request';
import { describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { openTestDatabase, type TestDatabase } from './helpers/database.js';
import { contactWrites, createAgent, createSector, type Agent } from './helpers/fixtures.js';
import type { GqlClient } from './helpers/gql.js';
import { subscribe, wsClient, type LiveSubscription } from './helpers/ws.js';

// Random lifecycles across sectors A1, A2 and B, unsectored tickets, contacts with several tickets,
// agents with no sector, membership, role and active changes mid-stream, and Pia, who has no sector but
// sees the potentials (canViewUnsectored: WAITING tickets without a sector). After every operation the
// database is read and a plain oracle says what each live tab must hear; each subscriber must hear
// exactly that, in order. The last operation is a sentinel every subscriber hears, so "nothing more
// will arrive" is a condition, not a pause. Replay a failure with PROPERTY_SEED=<seed printed>; shrinking
// is off unless PROPERTY_SHRINK=1, as each shrink step of a live failure waits out its timeouts.

const SEED = Number(process.env['PROPERTY_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 12);

const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');
const localId = (id: string) => Number(Buffer.from(id, 'base64').toString().split(':')[1]);

type Status = 'WAITING' | 'OPEN' | 'CLOSED';
interface Placement { status: Status; sectorId: number | null; assigneeId: number | null }
interface Person { role: 'ADMIN' | 'USER'; active: boolean; potentials: boolean; sectorIds: number[] }
interface World { tickets: Map<number, Placement>; users: Map<number, Person> }
interface Tab { status: Status | null; assignedOnly: boolean }
interface Heard { kind: string; ticketId: string }

async function readWorld(db: TestDatabase): Promise<World> {
  const tickets = new Map<number, Placement>();
  for (const row of await db.rows<any>('SELECT id, status, sector_id, assignee_id FROM tickets')) {
    tickets.set(row.id, { status: row.status, sectorId: row.sector_id, assigneeId: row.assignee_id });
  }
  const users = new Map<number, Person>();
  for (const row of await db.rows<any>('SELECT id, role, active, can_view_unsectored FROM users')) {
    users.set(row.id, { role: row.role, active: row.active === 1, potentials: row.can_view_unsectored === 1, sectorIds: [] });
  }
  for (const row of await db.rows<any>('SELECT user_id, sector_id FROM user_sectors')) users.get(row.user_id)!.sectorIds.push(row.sector_id);
  return { tickets, users };
}

// The rule written plainly (DESIGN.md "Visibility" and "Live tabs"), not imported from the code under test.
function inTab(userId: number, person: Person, tab: Tab, ticket: Placement | undefined): boolean {
  if (!ticket) return false;
  const sees =
    person.role === 'ADMIN' ||
    ticket.assigneeId === userId ||
    (ticket.sectorId !== null && person.sectorIds.includes(ticket.sectorId)) ||
    (person.potentials && ticket.status === 'WAITING' && ticket.sectorId === null);
  if (!sees || (tab.status !== null && ticket.status !== tab.status)) return false;
  return !tab.assignedOnly || ticket.assigneeId === userId;
}

const samePlacement = (a: Placement | undefined, b: Placement | undefined) =>
  a !== undefined && b !== undefined && a.status === b.status && a.sectorId === b.sectorId && a.assigneeId === b.assigneeId;

interface Listener { name: string; userId: number; tab: Tab; live: LiveSubscription<{ ticketEvents: Heard }>; expected: Heard[]; ended: boolean }

const EXPECTED_CODES = ['NOT_FOUND', 'FORBIDDEN', 'CONFLICT', 'TICKET_ALREADY_TAKEN', 'BAD_USER_INPUT', 'UNAUTHENTICATED', 'OUTSIDE_WORKING_HOURS'];

const operation = fc.record({
  kind: fc.constantFrom(
    'write', 'write', 'write', 'message', 'accept', 'accept', 'takeNext', 'toSector', 'toSector', 'toAgent', 'toAgent',
    'close', 'close', 'reopen', 'tag', 'reply', 'setSectors', 'setSectors', 'role', 'deactivate',
  ),
  contact: fc.nat(5),
  ticket: fc.nat(15),
  actor: fc.nat(8), // 5..8: the ADMIN, who may do most things, so that more operations succeed
  agent: fc.nat(4),
  sector: fc.option(fc.nat(2), { nil: null }),
  sectors: fc.subarray([0, 1, 2]),
});
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

async function runScenario(app: TestApp, operations: Operation[]): Promise<void> {
  const [a1, a2, b, z] = [await createSector(app, 'A1'), await createSector(app, 'A2'), await createSector(app, 'B'), await createSector(app, 'Z')];
  const sectors = [a1, a2, b];
  // Users: Alice (A1), Abel (A1, A2), Bob (B), Carol (A2, B), Nina (no sector); the ADMIN is actor 5.
  const agents: (Agent & { initial: string[] })[] = [];
  for (const [name, memberships] of [['Alice', [a1]], ['Abel', [a1, a2]], ['Bob', [b]], ['Carol', [a2, b]], ['Nina', []]] as const) {
    agents.push({ ...(await createAgent(app, name, [...memberships])), initial: [...memberships] });
  }
  const pia = await createAgent(app, 'Pia', [], { canViewUnsectored: true });
  const adminId = globalId('User', localId((await app.admin.request('{ me { id } }')).me.id));
  const actors: { id: string; client: GqlClient }[] = [...agents, { id: adminId, client: app.admin }];

  const db = await openTestDatabase(app.config.databaseUrl, { readonly: true });
  const sockets: ReturnType<typeof wsClient>[] = [];
  try {
    const listen = (name: string, token: string, userId: string, tab: Tab, variables: Record<string, unknown>): Listener => {
      const socket = wsClient(app.url, { token });
      sockets.push(socket);
      const live = subscribe<{ ticketEvents: Heard }>(socket, 'subscription($s: TicketStatus) { ticketEvents(status: $s) { kind ticketId } }', variables);
      return { name, userId: localId(userId), tab, live, expected: [], ended: false };
    };
    const all: Tab = { status: null, assignedOnly: false };
    const listeners = [
      listen('admin (all)', app.adminToken, adminId, all, {}),
      listen('Bob (all)', agents[2]!.token, agents[2]!.id, all, {}),
      listen('Nina (all)', agents[4]!.token, agents[4]!.id, all, {}),
      listen('Alice (WAITING)', agents[0]!.token, agents[0]!.id, { status: 'WAITING', assignedOnly: false }, { s: 'WAITING' }),
      listen('Abel (OPEN, mine)', agents[1]!.token, agents[1]!.id, { status: 'OPEN', assignedOnly: true }, { s: 'OPEN' }),
      listen('Carol (CLOSED)', agents[3]!.token, agents[3]!.id, { status: 'CLOSED', assignedOnly: false }, { s: 'CLOSED' }),
      listen('Pia (WAITING, potentials)', pia.token, pia.id, { status: 'WAITING', assignedOnly: false }, { s: 'WAITING' }),
    ];

    let world = await readWorld(db);
    /** Runs one operation (one commit), then adds what each live tab must hear of the tickets it changed or touched. */
    const step = async (run: () => Promise<string[]>) => {
      const touched = await run();
      const after = await readWorld(db);
      const ids = new Set(touched.map(localId));
      for (const [id, placement] of after.tickets) if (!samePlacement(world.tickets.get(id), placement)) ids.add(id);
      for (const listener of listeners) {
        if (listener.ended) continue;
        const person = after.users.get(listener.userId)!;
        if (!person.active) {
          listener.ended = true;
          continue;
        }
        for (const id of [...ids].sort((x, y) => x - y)) {
          const was = inTab(listener.userId, person, listener.tab, world.tickets.get(id));
          const is = inTab(listener.userId, person, listener.tab, after.tickets.get(id));
          const kind = was && is ? 'UPDATED' : is ? 'ADDED' : was ? 'REMOVED' : null;
          if (kind) listener.expected.push({ kind, ticketId: globalId('Ticket', id) });
        }
      }
      world = after;
    };
    const attempt = async (client: GqlClient, query: string, variables: Record<string, unknown>, ticketId?: string): Promise<string[]> => {
      const errors = await client.errors(query, variables);
      for (const error of errors) expect(EXPECTED_CODES, `${query} ${JSON.stringify(variables)}`).toContain(error.extensions?.['code']);
      return errors.length === 0 && ticketId ? [ticketId] : [];
    };
    const setSectors = (userId: string, sectorIds: string[]) =>
      attempt(app.admin, 'mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: userId, s: sectorIds });
    let pings = 0;
    const transfer = (id: string, userId: string) => attempt(app.admin, 'mutation($id: ID!, $u: ID) { transferTicket(id: $id, userId: $u) { id } }', { id, u: userId }, id);
    const close = (id: string) => attempt(app.admin, 'mutation($id: ID!) { closeTicket(id: $id) { id } }', { id }, id);
    /** A ticket written without a sector (a potential, which Pia hears of), then queued in `sectorId`. */
    const pingTicket = async (go: (run: () => Promise<string[]>) => Promise<void>, sectorId: string) => {
      pings += 1;
      let id = '';
      await go(async () => [(id = (await contactWrites(app, { phone: `5511970${String(pings).padStart(6, '0')}`, body: 'ping' })).id)]);
      await go(() => attempt(app.admin, 'mutation($id: ID!, $s: ID) { transferTicket(id: $id, sectorId: $s) { id } }', { id, s: sectorId }, id));
      return id;
    };
    /** A ticket in A1 handed to Bob, Nina, Abel and Carol in turn, then closed: every tab as it was at connection hears of it. */
    const roundPing = async (go: (run: () => Promise<string[]>) => Promise<void>) => {
      const id = await pingTicket(go, a1);
      for (const index of [2, 4, 1, 3]) await go(() => transfer(id, agents[index]!.id));
      await go(() => close(id));
      return id;
    };
    const untracked = async (run: () => Promise<string[]>) => {
      await run();
      world = await readWorld(db);
    };

    // Subscribed: ping until every tab heard something, then one tracked ping read up to its last event.
    const live = new Set<Listener>();
    for (let round = 0; live.size < listeners.length; round++) {
      expect(round, 'subscriptions never became live').toBeLessThan(40);
      await roundPing(untracked);
      for (const listener of listeners) if (!live.has(listener) && (await listener.live.take(1, 250).catch(() => null))) live.add(listener);
    }
    await roundPing(step);
    for (const listener of listeners) {
      const [first, ...rest] = listener.expected;
      const heard = await listener.live.takeUntil((event) => event.ticketEvents.ticketId === first!.ticketId, 10_000);
      heard.push(...(await listener.live.take(rest.length, 10_000)));
      expect(heard.slice(-listener.expected.length).map((event) => event.ticketEvents), listener.name).toEqual(listener.expected);
      listener.expected = [];
    }

    const tickets: { id: string; phone: string }[] = [];
    const phoneOf = (contact: number) => `55119600000${contact}`;
    for (const op of operations) {
      const target = tickets[op.ticket % Math.max(1, tickets.length)];
      const actor = actors[Math.min(op.actor, 5)]!.client;
      const agent = agents[op.agent]!;
      if (op.kind === 'write' || op.kind === 'message' || !target) {
        // A contact writes: a new ticket (in a sector, or none) or a message on its live one.
        const phone = op.kind === 'message' && target ? target.phone : phoneOf(op.contact);
        const sectorId = op.kind === 'message' || op.sector === null ? undefined : sectors[op.sector];
        await step(async () => {
          const ticket = await contactWrites(app, { phone, body: 'hi', ...(sectorId ? { sectorId } : {}) });
          if (!tickets.some((known) => known.id === ticket.id)) tickets.push({ id: ticket.id, phone });
          return [ticket.id];
        });
        continue;
      }
      const id = target.id;
      const operations: Record<string, () => Promise<string[]>> = {
        accept: () => attempt(actor, 'mutation($id: ID!) { acceptTicket(id: $id) { id } }', { id }, id),
        takeNext: async () => {
          try {
            const { takeNextTicket } = await actor.request('mutation { takeNextTicket { id } }');
            return takeNextTicket ? [takeNextTicket.id] : [];
          } catch (error) {
            if (!(error instanceof ClientError)) throw error;
            for (const found of error.response.errors ?? []) expect(EXPECTED_CODES).toContain(found.extensions?.['code']);
            return [];
          }
        },
        toSector: () => attempt(actor, 'mutation($id: ID!, $s: ID) { transferTicket(id: $id, sectorId: $s) { id } }', { id, s: sectors[op.sector ?? op.agent % 3] }, id),
        toAgent: () => attempt(actor, 'mutation($id: ID!, $u: ID) { transferTicket(id: $id, userId: $u) { id } }', { id, u: actors[op.agent === 4 && op.actor % 2 ? 5 : op.agent]!.id }, id),
        close: () => attempt(actor, 'mutation($id: ID!) { closeTicket(id: $id) { id } }', { id }, id),
        reopen: () => attempt(actor, 'mutation($id: ID!) { reopenTicket(id: $id) { id } }', { id }, id),
        tag: () => attempt(actor, 'mutation($id: ID!) { setTicketTags(id: $id, tags: ["x"]) { id } }', { id }, id),
        reply: () => attempt(actor, 'mutation($id: ID!) { sendMessage(ticketId: $id, body: "hello") { id } }', { id }, id),
        setSectors: () => setSectors(agent.id, op.sectors.map((index) => sectors[index]!)),
        role: () => {
          const role = world.users.get(localId(agent.id))!.role === 'ADMIN' ? 'USER' : 'ADMIN';
          return attempt(app.admin, 'mutation($u: ID!, $r: Role) { updateUser(id: $u, input: { role: $r }) { id } }', { u: agent.id, r: role });
        },
        deactivate: () => attempt(app.admin, 'mutation($u: ID!) { updateUser(id: $u, input: { active: false }) { id } }', { u: agent.id }),
      };
      await step(operations[op.kind]!);
    }
    // The sentinel: every active user joins sector Z, where a ticket arrives, goes to Abel (or the ADMIN) and is closed.
    for (const agent of agents) {
      const person = world.users.get(localId(agent.id))!;
      if (person.active) await step(() => setSectors(agent.id, [...person.sectorIds.map((id) => globalId('Sector', id)), z]));
    }
    const sentinel = await pingTicket(step, z);
    const abelActive = world.users.get(localId(agents[1]!.id))!.active;
    await step(() => transfer(sentinel, abelActive ? agents[1]!.id : adminId));
    await step(() => close(sentinel));

    for (const listener of listeners) {
      const heard = (await listener.live.take(listener.expected.length, 10_000)).map((event) => event.ticketEvents);
      expect(heard, listener.name).toEqual(listener.expected);
      if (listener.ended) await listener.live.completed;
    }
  } finally {
    await Promise.all(sockets.map((socket) => socket.dispose()));
    await db.close();
  }
}

describe('live visibility under random operations', () => {
  it(`each tab hears exactly what the rule says, in order (seed ${SEED})`, { timeout: 600_000 }, async () => {
    console.info(`subscriptions-property seed: ${SEED} (PROPERTY_SEED=${SEED} to replay, PROPERTY_SHRINK=1 to shrink)`);
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 10, maxLength: 30 }), async (operations) => {
        const app = await startTestApp({ passwords: { memoryCost: 1024, timeCost: 1 } });
        try {
          await runScenario(app, operations);
        } finally {
          await app.stop();
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: !process.env['PROPERTY_SHRINK'] },
    );
  });
});

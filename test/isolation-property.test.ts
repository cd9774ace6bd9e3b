import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { Client } from 'graphql-ws';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import type { GqlClient } from './helpers/gql.js';
import { subscribe, untilListening, wsClient, type LiveSubscription } from './helpers/ws.js';

// Three accounts built alike by the platform: the same external ids, sector names, contact phones and
// names. Random writes land in any of them; then every read of each account (lists, counts, search,
// node(id), ticket(id), users, sectors, live ticket events) must show its own rows only, and another
// account's ids must answer exactly as ids that exist nowhere. Replay with PROPERTY_SEED=<seed printed>.

const SEED = Number(process.env['PROPERTY_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env['PROPERTY_RUNS'] ?? 4);
const PLATFORM_TOKEN = `dgp_${randomBytes(32).toString('base64url')}`;
const PHONES = ['5511900000001', '5511900000002', '5511900000003', '5511900000004'];
const NAMES = ['Ana Souza', 'Bia Lima'];
const globalId = (type: string, id: number) => Buffer.from(`${type}:${id}`).toString('base64');

interface Tenant {
  id: string;
  admin: GqlClient;
  adminToken: string;
  userIds: string[];
  sectorId: string;
  /** Phone -> ticket id, as written. */
  tickets: Map<string, string>;
  contacts: Map<string, string>;
  live: LiveSubscription<{ ticketEvents: { kind: string; ticketId: string } }>;
  /** The warm-up ticket's id: its events were set aside, it is in every list. */
  warmUp: string;
}

let app: TestApp;
let platform: GqlClient;
let hostKey: CryptoKey;
const sockets: Client[] = [];
let sequence = 0;

async function newTenant(): Promise<Tenant> {
  const run = ++sequence;
  const { createAccount } = await platform.request('mutation($n: String!) { createAccount(input: { name: $n }) { id } }', { n: `Tenant ${run}` });
  const id = createAccount.id as string;
  const upsert = 'mutation($a: ID!, $input: UpsertUserInput!) { upsertUser(accountId: $a, input: $input) { id } }';
  const admin = await platform.request(upsert, { a: id, input: { externalId: 'admin', name: 'Admin', email: `admin-${run}@iso.test`, role: 'ADMIN' } });
  const agent = await platform.request(upsert, { a: id, input: { externalId: 'agent-1', name: 'Agent', email: `agent-${run}@iso.test`, role: 'USER' } });
  const adminToken = await new SignJWT({ deskgraph_account: id }).setProtectedHeader({ alg: 'ES256' }).setSubject('admin').setExpirationTime('30m').sign(hostKey);
  const client = app.as(adminToken);
  const { createSector } = await client.request('mutation { createSector(input: { name: "Sales" }) { id } }');
  const socket = wsClient(app.url, { token: adminToken });
  sockets.push(socket);
  // Listening once a warm-up ticket's events come through (set aside), instead of a pause.
  const warmUp = new Set<string>();
  const live = subscribe<{ ticketEvents: { kind: string; ticketId: string } }>(socket, 'subscription { ticketEvents(all: true) { kind ticketId } }', undefined, {
    skip: (event) => warmUp.has(event.ticketEvents?.ticketId),
  });
  const tickets = new Map<string, string>();
  const contacts = new Map<string, string>();
  await untilListening([live], async () => {
    const { ingestMessage } = await client.request(INGEST, { phone: '5511988888888', body: 'warm-up', sector: createSector.id });
    warmUp.add(ingestMessage.id);
    tickets.set('warm-up', ingestMessage.id);
    contacts.set('warm-up', ingestMessage.contact.id);
  });
  return { id, admin: client, adminToken, userIds: [admin.upsertUser.id, agent.upsertUser.id], sectorId: createSector.id, tickets, contacts, live, warmUp: tickets.get('warm-up')! };
}


const INGEST = `mutation($phone: String!, $name: String, $body: String!, $sector: ID) {
  ingestMessage(input: { contact: { phone: $phone, name: $name }, body: $body, sectorId: $sector }) { id contact { id } } }`;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  hostKey = pair.privateKey as CryptoKey;
  const base = await startTestApp();
  const jwt = { ...base.config.jwt, publicKeyPem: await exportSPKI(pair.publicKey) };
  await base.running.stop();
  app = await startTestApp({ jwt, platform: { tokenSha256: [createHash('sha256').update(PLATFORM_TOKEN).digest('hex')], provisionOnSignIn: false } }, base.dir);
  platform = app.as(PLATFORM_TOKEN);
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

const write = fc.record({ tenant: fc.integer({ min: 0, max: 2 }), phone: fc.constantFrom(...PHONES), name: fc.constantFrom(...NAMES), body: fc.string({ minLength: 1, maxLength: 20 }).filter((text) => text.trim().length > 0 && !text.includes('\u0000')) });

/** What an id that exists nowhere answers, to compare a foreign id's answer with. */
async function answerOf(client: GqlClient, query: string, id: string) {
  return { errors: (await client.errors(query, { id })).map((error) => error.extensions?.['code']), data: (await client.request(query, { id }).catch(() => null)) as unknown };
}

describe('three accounts with overlapping external ids, phones and names', () => {
  it(`never cross on any read or live event (seed ${SEED})`, { timeout: 300_000 }, async () => {
    console.log(`isolation seed: ${SEED} (PROPERTY_SEED=${SEED} to replay)`);
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 10 }), async (writes) => {
        const tenants = [await newTenant(), await newTenant(), await newTenant()];
        for (const step of writes) {
          const tenant = tenants[step.tenant]!;
          const { ingestMessage } = await tenant.admin.request(INGEST, { phone: step.phone, name: step.name, body: step.body, sector: tenant.sectorId });
          tenant.tickets.set(step.phone, ingestMessage.id);
          tenant.contacts.set(step.phone, ingestMessage.contact.id);
        }
        // A sentinel ticket per account, heard last: everything before it has arrived by then.
        for (const tenant of tenants) {
          const { ingestMessage } = await tenant.admin.request(INGEST, { phone: '5511999999999', body: 'sentinel', sector: tenant.sectorId });
          tenant.tickets.set('sentinel', ingestMessage.id);
        }

        for (const tenant of tenants) {
          const own = new Set(tenant.tickets.values());
          const heard = await tenant.live.takeUntil((event) => event.ticketEvents?.ticketId === tenant.tickets.get('sentinel'), 10_000);
          for (const event of heard) expect(own.has(event.ticketEvents.ticketId), `account ${tenant.id} heard ${JSON.stringify(event)}`).toBe(true);
          // The warm-up's first event may arrive before its id is known to be set aside: it is left out here.
          const added = new Set(heard.filter((event) => event.ticketEvents.kind === 'ADDED' && event.ticketEvents.ticketId !== tenant.warmUp).map((event) => event.ticketEvents.ticketId));
          expect(added).toEqual(new Set([...own].filter((id) => id !== tenant.warmUp)));

          const { tickets } = await tenant.admin.request('{ tickets(status: WAITING, first: 100) { totalCount edges { node { id contact { phone } } } } }');
          expect(tickets.totalCount).toBe(own.size);
          expect(new Set(tickets.edges.map((edge: { node: { id: string } }) => edge.node.id))).toEqual(own);
          expect((await tenant.admin.request('{ ticketCounts { waiting } }')).ticketCounts.waiting).toBe(own.size);

          for (const phone of PHONES) {
            const { contacts } = await tenant.admin.request('query($s: String!) { contacts(search: $s) { totalCount edges { node { id } } } }', { s: phone });
            expect(contacts.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(tenant.contacts.has(phone) ? [tenant.contacts.get(phone)] : []);
            expect(contacts.totalCount).toBe(tenant.contacts.has(phone) ? 1 : 0);
          }
          for (const name of NAMES) {
            const { contacts } = await tenant.admin.request('query($s: String!) { contacts(search: $s) { edges { node { id } } } }', { s: name });
            for (const edge of contacts.edges) expect([...tenant.contacts.values()]).toContain(edge.node.id);
          }
          const { users } = await tenant.admin.request('{ users { id externalId } }');
          expect(users.map((user: { id: string }) => user.id).sort()).toEqual([...tenant.userIds].sort());
          expect((await tenant.admin.request('{ sectors { id } }')).sectors).toEqual([{ id: tenant.sectorId }]);

          // Another account's ids answer as ids that exist nowhere.
          for (const other of tenants.filter((candidate) => candidate !== tenant)) {
            const foreign = [...other.tickets.values(), ...other.contacts.values(), ...other.userIds, other.sectorId];
            const nowhere = { Ticket: globalId('Ticket', 99_999_999), Contact: globalId('Contact', 99_999_999), User: globalId('User', 99_999_999), Sector: globalId('Sector', 99_999_999) };
            for (const id of foreign) {
              const type = Buffer.from(id, 'base64').toString().split(':')[0] as keyof typeof nowhere;
              const NODE = 'query($id: ID!) { node(id: $id) { id } }';
              expect(await answerOf(tenant.admin, NODE, id)).toEqual(await answerOf(tenant.admin, NODE, nowhere[type]));
              if (type === 'Ticket') {
                const TICKET = 'query($id: ID!) { ticket(id: $id) { id } }';
                expect(await answerOf(tenant.admin, TICKET, id)).toEqual(await answerOf(tenant.admin, TICKET, nowhere.Ticket));
                const ACCEPT = 'mutation($id: ID!) { acceptTicket(id: $id) { id } }';
                expect(await answerOf(tenant.admin, ACCEPT, id)).toEqual(await answerOf(tenant.admin, ACCEPT, nowhere.Ticket));
              }
            }
          }
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: process.env['PROPERTY_SHRINK'] !== '1' },
    );
  });
});

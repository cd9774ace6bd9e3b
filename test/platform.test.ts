import { createHash, randomBytes } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, TEST_SECRET, type TestApp } from './helpers/app.js';
import type { GqlClient } from './helpers/gql.js';
import { expectUnchanged } from './helpers/unchanged.js';
import { subscribe, wsClient, wsUrl } from './helpers/ws.js';

// A multi-tenant host mounts Deskgraph: its platform credential (an opaque token configured as a
// SHA-256 digest, or a token of its own key with deskgraph_platform) creates accounts and upserts
// their users by its ids; its key signs agents in (sub = its id, deskgraph_account = the account).

const PLATFORM_TOKEN = `dgp_${randomBytes(32).toString('base64url')}`;
const digestOf = (token: string) => createHash('sha256').update(token).digest('hex');

const CREATE_ACCOUNT = 'mutation($input: CreateAccountInput!) { createAccount(input: $input) { id name timeZone locale suspendedAt } }';
const UPSERT_USER = 'mutation($a: ID!, $input: UpsertUserInput!) { upsertUser(accountId: $a, input: $input) { id externalId name email role active } }';
const ACCOUNTS = 'query($first: Int, $after: String) { accounts(first: $first, after: $after) { totalCount edges { cursor node { id name suspendedAt } } pageInfo { hasNextPage endCursor } } }';
const SUSPEND = 'mutation($id: ID!) { suspendAccount(id: $id) { id suspendedAt } }';
const RESUME = 'mutation($id: ID!) { resumeAccount(id: $id) { id suspendedAt } }';
const ME = '{ me { id externalId name role sectors { id } } account { id name } }';
const CREATE_SECTOR = 'mutation($name: String!) { createSector(input: { name: $name }) { id } }';

let app: TestApp;
let platform: GqlClient;
let hostKey: CryptoKey;
let publicKeyPem: string;
const sockets: Client[] = [];

/** A sign-on token of the host's key: the user by the host's id, inside one account. */
function signOn(accountId: string, externalId: string, claims: Record<string, unknown> = {}, key: CryptoKey | Uint8Array = hostKey): Promise<string> {
  return new SignJWT({ deskgraph_account: accountId, ...claims })
    .setProtectedHeader({ alg: key instanceof Uint8Array ? 'HS256' : 'ES256' })
    .setSubject(externalId)
    .setExpirationTime('10m')
    .sign(key);
}

let accountCounter = 0;
async function newAccount(name = `Tenant ${++accountCounter}`): Promise<string> {
  const { createAccount } = await platform.request(CREATE_ACCOUNT, { input: { name } });
  return createAccount.id;
}

let emailCounter = 0;
/** A user of the account upserted by the platform, and a client signed in as them by the host's key. */
async function hostUser(accountId: string, externalId: string, role: 'ADMIN' | 'USER' = 'USER', sectorIds: string[] = []) {
  const { upsertUser } = await platform.request(UPSERT_USER, {
    a: accountId,
    input: { externalId, name: `User ${externalId}`, email: `host${++emailCounter}@tenant.test`, role, sectorIds },
  });
  const token = await signOn(accountId, externalId);
  return { id: upsertUser.id as string, token, client: app.as(token) };
}

beforeAll(async () => {
  const pair = await generateKeyPair('ES256');
  hostKey = pair.privateKey as CryptoKey;
  publicKeyPem = await exportSPKI(pair.publicKey);
  const base = await startTestApp();
  const jwt = { ...base.config.jwt, publicKeyPem };
  await base.running.stop();
  app = await startTestApp({ jwt, platform: { tokenSha256: [digestOf(PLATFORM_TOKEN)], provisionOnSignIn: false } }, base.dir);
  platform = app.as(PLATFORM_TOKEN);
});
afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.dispose()));
  await app.stop();
});

describe('the platform credential', () => {
  it('creates two accounts and their agents, who sign in by the host key into their own account', async () => {
    const { createAccount: acme } = await platform.request(CREATE_ACCOUNT, { input: { name: 'Acme', timeZone: 'America/Sao_Paulo', locale: 'pt-BR' } });
    expect(acme).toMatchObject({ name: 'Acme', timeZone: 'America/Sao_Paulo', locale: 'pt-BR', suspendedAt: null });
    const globex = await newAccount('Globex');

    const acmeAdmin = await hostUser(acme.id, 'acme-admin', 'ADMIN');
    const globexAdmin = await hostUser(globex, 'globex-admin', 'ADMIN');
    const { createSector: sales } = await acmeAdmin.client.request(CREATE_SECTOR, { name: 'Sales' });
    const agent = await hostUser(acme.id, 'acme-agent', 'USER', [sales.id]);

    const seen = await agent.client.request(ME);
    expect(seen.me).toEqual({ id: agent.id, externalId: 'acme-agent', name: 'User acme-agent', role: 'USER', sectors: [{ id: sales.id }] });
    expect(seen.account).toEqual({ id: acme.id, name: 'Acme' });
    expect((await globexAdmin.client.request(ME)).account).toEqual({ id: globex, name: 'Globex' });
    // Each ADMIN sees only their own account's users.
    const { users: acmeUsers } = await acmeAdmin.client.request('{ users { externalId } }');
    expect(acmeUsers.map((user: { externalId: string }) => user.externalId).sort()).toEqual(['acme-admin', 'acme-agent']);
    const { users: globexUsers } = await globexAdmin.client.request('{ users { externalId } }');
    expect(globexUsers).toEqual([{ externalId: 'globex-admin' }]);

    // The second upsert of an external id updates that user; omitted fields stay.
    const { upsertUser: renamed } = await platform.request(UPSERT_USER, { a: acme.id, input: { externalId: 'acme-agent', name: 'Agent Renamed', sectorIds: [] } });
    expect(renamed).toMatchObject({ id: agent.id, name: 'Agent Renamed', role: 'USER', active: true });
    expect((await agent.client.request(ME)).me.sectors).toEqual([]);

    // A user of the host has no password here: no password signs them in.
    const { users: withEmail } = await acmeAdmin.client.request('{ users { externalId email } }');
    const agentEmail = withEmail.find((user: { externalId: string }) => user.externalId === 'acme-agent').email;
    for (const password of ['', '!signed-in-by-the-host', 'Any-Passw0rd']) {
      const refused = await app.anonymous.expectCode('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: agentEmail, p: password }, 'UNAUTHENTICATED');
      expect(refused.extensions?.['reason']).toBe('BAD_CREDENTIALS');
    }

    // The platform renames an account by its id.
    const { updateAccount } = await platform.request('mutation($id: ID!) { updateAccount(id: $id, input: { name: "Acme Ltd" }) { id name } }', { id: acme.id });
    expect(updateAccount).toEqual({ id: acme.id, name: 'Acme Ltd' });
  });

  it('lists every account newest first, page by page', async () => {
    const ids = [await newAccount(), await newAccount(), await newAccount()];
    const { accounts: first } = await platform.request(ACCOUNTS, { first: 2 });
    expect(first.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([ids[2], ids[1]]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const { accounts: rest } = await platform.request(ACCOUNTS, { first: 100, after: first.pageInfo.endCursor });
    expect(rest.edges[0].node.id).toBe(ids[0]);
    expect(rest.edges.at(-1).node.id).toBe('1');
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(first.totalCount).toBe(first.edges.length + rest.edges.length);
  });

  it('also comes as a token of the host key with deskgraph_platform (never of our own secret)', async () => {
    const claims = { deskgraph_platform: true };
    const hostSigned = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setSubject('host').setExpirationTime('5m').sign(hostKey);
    const { createAccount } = await app.as(hostSigned).request(CREATE_ACCOUNT, { input: { name: 'By the host key' } });
    expect(createAccount.name).toBe('By the host key');
    const ours = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('host').setExpirationTime('5m').sign(new TextEncoder().encode(TEST_SECRET));
    await expectUnchanged(app, async () => {
      await app.as(ours).expectCode(CREATE_ACCOUNT, { input: { name: 'Forged' } }, 'UNAUTHENTICATED');
    });
  });

  it('is refused to an ADMIN, an agent, a wrong token and nobody, and acts on nothing but the platform fields', async () => {
    const account = await newAccount();
    const admin = await hostUser(account, 'refused-admin', 'ADMIN');
    const agent = await hostUser(account, 'refused-agent');
    const wrong = app.as(`dgp_${randomBytes(32).toString('base64url')}`);
    await expectUnchanged(app, async () => {
      for (const [client, code] of [[app.admin, 'FORBIDDEN'], [admin.client, 'FORBIDDEN'], [agent.client, 'FORBIDDEN'], [wrong, 'UNAUTHENTICATED'], [app.anonymous, 'UNAUTHENTICATED']] as const) {
        await client.expectCode(CREATE_ACCOUNT, { input: { name: 'Nope' } }, code);
        await client.expectCode(ACCOUNTS, {}, code);
        await client.expectCode(SUSPEND, { id: account }, code);
        await client.expectCode(RESUME, { id: account }, code);
        await client.expectCode(UPSERT_USER, { a: account, input: { externalId: 'x', name: 'X', email: 'x@tenant.test', role: 'ADMIN' } }, code);
      }
      // Only the platform names another account; an ADMIN changes their own.
      await admin.client.expectCode('mutation($id: ID!) { updateAccount(id: $id, input: { name: "Mine" }) { id } }', { id: '1' }, 'FORBIDDEN');
      // The platform is no account's member: agent fields are refused to it.
      await platform.expectCode(ME, undefined, 'FORBIDDEN');
      await platform.expectCode('{ tickets(status: WAITING) { totalCount } }', undefined, 'FORBIDDEN');
      await platform.expectCode('mutation { updateAccount(input: { name: "Whose?" }) { id } }', undefined, 'BAD_USER_INPUT', 'id');
    });
  });

  it('refuses bad input with typed codes and changes nothing', async () => {
    const account = await newAccount();
    const other = await newAccount();
    const otherAdmin = await hostUser(other, 'other-admin', 'ADMIN');
    const { createSector: foreignSector } = await otherAdmin.client.request(CREATE_SECTOR, { name: 'Theirs' });
    await hostUser(account, 'taken');
    const valid = { externalId: 'new-user', name: 'New', email: 'new@tenant.test', role: 'USER' };
    await expectUnchanged(app, async () => {
      for (const externalId of ['', 'has space', 'x'.repeat(129), 'tab\there', 'acentuação']) {
        await platform.expectCode(UPSERT_USER, { a: account, input: { ...valid, externalId } }, 'BAD_USER_INPUT', 'input.externalId');
      }
      await platform.expectCode(UPSERT_USER, { a: '999999', input: valid }, 'NOT_FOUND');
      await platform.expectCode(UPSERT_USER, { a: 'not-an-id', input: valid }, 'BAD_USER_INPUT', 'accountId');
      await platform.expectCode(UPSERT_USER, { a: account, input: { ...valid, sectorIds: [foreignSector.id] } }, 'BAD_USER_INPUT', 'input.sectorIds');
      await platform.expectCode(UPSERT_USER, { a: account, input: { ...valid, sectorIds: ['garbage'] } }, 'BAD_USER_INPUT', 'input.sectorIds.0');
      await platform.expectCode(UPSERT_USER, { a: account, input: { externalId: 'no-name', email: 'nn@tenant.test', role: 'USER' } }, 'BAD_USER_INPUT', 'input.name');
      await platform.expectCode(UPSERT_USER, { a: account, input: { ...valid, email: 'not-an-email' } }, 'BAD_USER_INPUT', 'input.email');
      await platform.expectCode(UPSERT_USER, { a: account, input: { ...valid, email: ADMIN_EMAIL } }, 'BAD_USER_INPUT', 'input.email');
      await platform.expectCode(UPSERT_USER, { a: account, input: { externalId: 'taken', name: null } }, 'BAD_USER_INPUT', 'input.name');
      await platform.expectCode(CREATE_ACCOUNT, { input: { name: 'Bad zone', timeZone: 'Mars/Olympus' } }, 'BAD_USER_INPUT', 'input.timeZone');
      await platform.expectCode(CREATE_ACCOUNT, { input: { name: ' ' } }, 'BAD_USER_INPUT', 'input.name');
      await platform.expectCode(SUSPEND, { id: '999999' }, 'NOT_FOUND');
      await platform.expectCode('mutation { updateAccount(id: "999999", input: { name: "Ghost" }) { id } }', undefined, 'NOT_FOUND');
      await platform.expectCode(`mutation { updateAccount(id: "${account}", input: { locale: "not a tag" }) { id } }`, undefined, 'BAD_USER_INPUT', 'input.locale');
      await platform.expectCode(RESUME, { id: '0' }, 'BAD_USER_INPUT', 'id');
      await platform.expectCode(ACCOUNTS, { first: 101 }, 'BAD_USER_INPUT', 'first');
    });
  });
});

describe('single sign-on by the host key', () => {
  it('maps one external id in two accounts to two users, each looked up only inside its token\'s account', async () => {
    const [a, b] = [await newAccount(), await newAccount()];
    const inA = await hostUser(a, 'same-id');
    const inB = await hostUser(b, 'same-id');
    expect(inA.id).not.toBe(inB.id);
    expect((await inA.client.request(ME)).me.id).toBe(inA.id);
    expect((await inB.client.request(ME)).me.id).toBe(inB.id);
    expect((await inA.client.request(ME)).account.id).toBe(a);
    expect((await inB.client.request(ME)).account.id).toBe(b);

    // An id known in A only, presented for B, is unknown there; a malformed one or an unknown account is no user.
    await hostUser(a, 'only-in-a');
    await expectUnchanged(app, async () => {
      const error = await app.as(await signOn(b, 'only-in-a')).expectCode(ME, undefined, 'UNAUTHENTICATED');
      expect(error.extensions?.['reason']).toBe('UNKNOWN_USER');
      await app.as(await signOn('999999', 'same-id')).expectCode(ME, undefined, 'UNAUTHENTICATED');
      await app.as(await signOn(a, 'has space')).expectCode(ME, undefined, 'UNAUTHENTICATED');
      await app.as(await signOn('not-an-id', 'same-id')).expectCode(ME, undefined, 'UNAUTHENTICATED');
      // Our own secret never signs a sign-on token.
      await app.as(await signOn(a, 'same-id', {}, new TextEncoder().encode(TEST_SECRET))).expectCode(ME, undefined, 'UNAUTHENTICATED');
    });
  });

  it('provisions nobody by default: an unknown external id with every claim is refused and nothing is written', async () => {
    const account = await newAccount();
    const token = await signOn(account, 'jit-off', { name: 'Jit', email: 'jit-off@tenant.test', deskgraph_role: 'USER' });
    await expectUnchanged(app, async () => {
      const error = await app.as(token).expectCode(ME, undefined, 'UNAUTHENTICATED');
      expect(error.extensions?.['reason']).toBe('UNKNOWN_USER');
    });
  });

  it('ends a deactivated host user at once', async () => {
    const account = await newAccount();
    const user = await hostUser(account, 'leaver');
    await user.client.request(ME);
    await platform.request(UPSERT_USER, { a: account, input: { externalId: 'leaver', active: false } });
    const error = await user.client.expectCode(ME, undefined, 'UNAUTHENTICATED');
    expect(error.extensions?.['reason']).toBe('USER_DEACTIVATED');
  });
});

describe('a suspended account', () => {
  it('is refused everywhere at once (requests, integrations, sign-in, refresh, open subscriptions) while its data stays; resume restores it', async () => {
    const account = await newAccount();
    const neighbour = await newAccount();
    const admin = await hostUser(account, 'boss', 'ADMIN');
    const next = await hostUser(neighbour, 'next-door', 'ADMIN');
    const { createIntegration } = await admin.client.request('mutation { createIntegration(name: "Bot") { token } }');
    const bot = app.as(createIntegration.token);
    const INGEST = 'mutation($phone: String!) { ingestMessage(input: { contact: { phone: $phone }, body: "hello" }) { id } }';
    await bot.request(INGEST, { phone: '5511990000001' });
    const COUNTS = '{ ticketCounts { waiting } }';
    expect((await admin.client.request(COUNTS)).ticketCounts.waiting).toBe(1);

    const socket = wsClient(app.url, { token: admin.token });
    sockets.push(socket);
    type Counts = { ticketCountsChanged?: { waiting: number }; errors?: { extensions?: Record<string, unknown> }[] };
    const live = subscribe<Counts>(socket, 'subscription { ticketCountsChanged { waiting } }');
    expect((await live.take(1))[0]!.ticketCountsChanged?.waiting).toBe(1);

    const { suspendAccount } = await platform.request(SUSPEND, { id: account });
    expect(suspendAccount.suspendedAt).not.toBeNull();
    // The open subscription says why and ends.
    const [last] = await live.take(1, 5000);
    expect(last!.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ACCOUNT_SUSPENDED' });
    await live.completed;

    await expectUnchanged(app, async () => {
      for (const client of [admin.client, bot]) {
        const error = await client.expectCode(client === bot ? INGEST : COUNTS, { phone: '5511990000002' }, 'UNAUTHENTICATED');
        expect(error.extensions?.['reason']).toBe('ACCOUNT_SUSPENDED');
      }
      expect(await closeCodeOf({ token: admin.token })).toBe(4403);
      // Suspending again changes nothing.
      expect((await platform.request(SUSPEND, { id: account })).suspendAccount.suspendedAt).toBe(suspendAccount.suspendedAt);
    });
    // The neighbour works on.
    expect((await next.client.request(ME)).account.id).toBe(neighbour);

    const { resumeAccount } = await platform.request(RESUME, { id: account });
    expect(resumeAccount.suspendedAt).toBeNull();
    expect((await admin.client.request(COUNTS)).ticketCounts.waiting).toBe(1);
    await bot.request(INGEST, { phone: '5511990000003' });
    expect((await admin.client.request(COUNTS)).ticketCounts.waiting).toBe(2);
  });

  it('ends every subscription still open, after others of the account came and went, and none of a neighbour', async () => {
    const account = await newAccount();
    const neighbour = await newAccount();
    const admin = await hostUser(account, 'many-tabs', 'ADMIN');
    const next = await hostUser(neighbour, 'next-tabs', 'ADMIN');
    const socket = wsClient(app.url, { token: admin.token });
    const neighbourSocket = wsClient(app.url, { token: next.token });
    sockets.push(socket, neighbourSocket);
    type Counts = { ticketCountsChanged?: { waiting: number }; errors?: { extensions?: Record<string, unknown> }[] };
    const COUNTS_LIVE = 'subscription { ticketCountsChanged { waiting } }';
    const opened = () => subscribe<Counts>(socket, COUNTS_LIVE);
    // The account's only subscription leaves, then two open, and one of those leaves too.
    const first = opened();
    await first.take(1);
    first.dispose();
    const [second, third] = [opened(), opened()];
    await Promise.all([second.take(1), third.take(1)]);
    second.dispose();
    const fourth = opened();
    await fourth.take(1);
    const neighbours = subscribe<Counts>(neighbourSocket, COUNTS_LIVE);
    await neighbours.take(1);

    await platform.request(SUSPEND, { id: account });
    for (const live of [third, fourth]) {
      const [last] = await live.take(1, 5000);
      expect(last!.errors?.[0]?.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ACCOUNT_SUSPENDED' });
      await live.completed;
    }
    expect(await neighbours.nothingFor(300)).toEqual([]);
    neighbours.dispose();
  });

  it('ends an open SSE subscription with the reason', async () => {
    const account = await newAccount();
    const admin = await hostUser(account, 'sse-boss', 'ADMIN');
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ query: 'subscription { ticketCountsChanged { waiting } }' }),
    });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const nextFrames = async () => {
      const { value, done } = await reader.read();
      if (!done) text += decoder.decode(value, { stream: true });
      return done;
    };
    while (!text.includes('"waiting":0')) expect(await nextFrames()).toBe(false);
    await platform.request(SUSPEND, { id: account });
    // The stream says why, then the server ends it (the reader reaches its end).
    while (!(await nextFrames()));
    const frames = text.split('\n\n').filter((frame) => /^event: next$/m.test(frame)).map((frame) => JSON.parse(/^data: (.*)$/m.exec(frame)![1]!));
    expect(frames.at(-1).errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'ACCOUNT_SUSPENDED' });
    expect(text).toMatch(/event: complete/);
  });

  it('refuses its password users at login and refresh; their session survives to the resume', async () => {
    const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token refreshToken } }';
    const REFRESH = 'mutation($t: String!) { refreshToken(token: $t) { token refreshToken } }';
    const { login } = await app.anonymous.request(LOGIN, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD });
    await platform.request(SUSPEND, { id: '1' });
    try {
      await expectUnchanged(app, async () => {
        expect((await app.anonymous.expectCode(LOGIN, { e: ADMIN_EMAIL, p: ADMIN_PASSWORD }, 'UNAUTHENTICATED')).extensions?.['reason']).toBe('ACCOUNT_SUSPENDED');
        expect((await app.anonymous.expectCode(REFRESH, { t: login.refreshToken }, 'UNAUTHENTICATED')).extensions?.['reason']).toBe('ACCOUNT_SUSPENDED');
        expect((await app.as(login.token).expectCode(ME, undefined, 'UNAUTHENTICATED')).extensions?.['reason']).toBe('ACCOUNT_SUSPENDED');
      });
    } finally {
      await platform.request(RESUME, { id: '1' });
    }
    const { refreshToken } = await app.anonymous.request(REFRESH, { t: login.refreshToken });
    expect((await app.as(refreshToken.token).request(ME)).me.role).toBe('ADMIN');
  });
});

describe('provisioning on first sight (PLATFORM_PROVISION_ON_SIGN_IN)', () => {
  let jit: TestApp;
  beforeAll(async () => {
    jit = await startTestApp({
      jwt: { ...app.config.jwt, publicKeyPem },
      platform: { tokenSha256: [digestOf(PLATFORM_TOKEN)], provisionOnSignIn: true },
    });
  });
  afterAll(() => jit?.stop());

  it('creates the user from the claims once, in the token\'s account, and refuses claims that make no user', async () => {
    const host = jit.as(PLATFORM_TOKEN);
    const { createAccount } = await host.request(CREATE_ACCOUNT, { input: { name: 'JIT' } });
    const { upsertUser } = await host.request(UPSERT_USER, { a: createAccount.id, input: { externalId: 'jit-admin', name: 'Admin', email: 'jit-admin@tenant.test', role: 'ADMIN' } });
    expect(upsertUser.externalId).toBe('jit-admin');
    const { createSector } = await jit.as(await signOn(createAccount.id, 'jit-admin')).request(CREATE_SECTOR, { name: 'Support' });

    const token = await signOn(createAccount.id, 'jit-1', { name: 'Jane', email: 'jane@tenant.test', deskgraph_sectors: [createSector.id] });
    const first = await jit.as(token).request(ME);
    expect(first.me).toMatchObject({ externalId: 'jit-1', name: 'Jane', role: 'USER', sectors: [{ id: createSector.id }] });
    expect(first.account.id).toBe(createAccount.id);
    expect((await jit.as(token).request(ME)).me.id).toBe(first.me.id);

    await expectUnchanged(jit, async () => {
      for (const claims of [
        { name: 'No Mail' },
        { name: 'Taken', email: 'jane@tenant.test' },
        { name: 'Odd role', email: 'odd@tenant.test', deskgraph_role: 'OWNER' },
        { name: 'Foreign', email: 'foreign@tenant.test', deskgraph_sectors: ['U2VjdG9yOjk5OTk5'] },
        { name: 'Bad list', email: 'list@tenant.test', deskgraph_sectors: 'all' },
      ]) {
        const error = await jit.as(await signOn(createAccount.id, 'jit-2', claims)).expectCode(ME, undefined, 'UNAUTHENTICATED');
        expect(error.extensions?.['reason'], JSON.stringify(claims)).toBe('PROVISIONING_REFUSED');
      }
      await jit.as(await signOn('999999', 'jit-3', { name: 'Nowhere', email: 'nowhere@tenant.test' })).expectCode(ME, undefined, 'UNAUTHENTICATED');
    });
  });
});

/** Speaks graphql-transport-ws by hand: connection_init, then the server's close code. */
function closeCodeOf(connectionParams: Record<string, unknown>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl(app.url), 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: connectionParams })));
    socket.on('close', (code) => resolve(code));
    socket.on('error', reject);
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { expectUnchanged } from './helpers/unchanged.js';
import type { GqlClient } from './helpers/gql.js';

const CREATE_USER = `mutation($input: CreateUserInput!) { createUser(input: $input) {
  id name email role active status phone avatarUrl canDismissWaiting canViewAllContacts maxConcurrentTickets
  workingHours { timeZone intervals { weekday start end } } sectors { name } } }`;
const UPDATE_USER = 'mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) { id name email role active phone maxConcurrentTickets workingHours { timeZone } } }';
const CREATE_SECTOR = 'mutation($input: CreateSectorInput!) { createSector(input: $input) { id name color greeting routingMode } }';
const LOGIN = 'mutation($email: String!, $password: String!) { login(email: $email, password: $password) { token } }';

let app: TestApp;
let sales: { id: string };
let support: { id: string };
let agent: GqlClient;
let agentId: string;

beforeAll(async () => {
  app = await startTestApp();
  sales = (await app.admin.request(CREATE_SECTOR, { input: { name: 'Sales', color: '#16a34a', greeting: 'Hi from sales' } })).createSector;
  support = (await app.admin.request(CREATE_SECTOR, { input: { name: 'Support', routingMode: 'ROUND_ROBIN' } })).createSector;
  const { createUser } = await app.admin.request(CREATE_USER, {
    input: { name: 'Ana', email: 'ana@deskgraph.test', password: 'Ana-passw0rd', role: 'USER', sectorIds: [sales.id] },
  });
  agentId = createUser.id;
  agent = app.as((await app.anonymous.request(LOGIN, { email: 'ana@deskgraph.test', password: 'Ana-passw0rd' })).login.token);
});
afterAll(() => app.stop());

describe('people and sectors, as an ADMIN', () => {
  it('creates a user with every setting, and reads it back', async () => {
    const { createUser } = await app.admin.request(CREATE_USER, {
      input: {
        name: '  Bruno  ',
        email: 'Bruno@Deskgraph.TEST',
        password: 'Bruno-passw0rd',
        role: 'USER',
        sectorIds: [sales.id, support.id],
        phone: '+55 11 91234-5678',
        avatarUrl: 'https://cdn.example/bruno.png',
        canDismissWaiting: true,
        maxConcurrentTickets: 5,
        workingHours: {
          timeZone: 'America/Sao_Paulo',
          intervals: [
            { weekday: 'MONDAY', start: '08:00', end: '12:00' },
            { weekday: 'MONDAY', start: '13:00', end: '18:00' },
          ],
        },
      },
    });
    expect(createUser).toMatchObject({
      name: 'Bruno',
      email: 'bruno@deskgraph.test',
      role: 'USER',
      active: true,
      status: 'OFFLINE',
      phone: '+55 11 91234-5678',
      canDismissWaiting: true,
      canViewAllContacts: false,
      maxConcurrentTickets: 5,
      workingHours: { timeZone: 'America/Sao_Paulo', intervals: [{ weekday: 'MONDAY', start: '08:00', end: '12:00' }, { weekday: 'MONDAY', start: '13:00', end: '18:00' }] },
    });
    expect(createUser.sectors.map((s: { name: string }) => s.name).sort()).toEqual(['Sales', 'Support']);
    const { node } = await app.admin.request('query($id: ID!) { node(id: $id) { ... on User { email } } }', { id: createUser.id });
    expect(node.email).toBe('bruno@deskgraph.test');
  });

  it('updates, clears optional settings with null, and moves a user between sectors', async () => {
    const { updateUser } = await app.admin.request(UPDATE_USER, { id: agentId, input: { phone: '+351 912 345 678', maxConcurrentTickets: 3 } });
    expect(updateUser).toMatchObject({ phone: '+351 912 345 678', maxConcurrentTickets: 3, name: 'Ana' });
    const cleared = await app.admin.request(UPDATE_USER, { id: agentId, input: { phone: null, maxConcurrentTickets: null, workingHours: null } });
    expect(cleared.updateUser).toMatchObject({ phone: null, maxConcurrentTickets: null, workingHours: null });
    const { setUserSectors } = await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { sectors { name } } }', {
      u: agentId,
      s: [support.id, support.id],
    });
    expect(setUserSectors.sectors).toEqual([{ name: 'Support' }]);
    const { sectors } = await app.admin.request('{ sectors { name agents { name } } }');
    expect(sectors.find((s: { name: string }) => s.name === 'Support').agents.map((a: { name: string }) => a.name)).toContain('Ana');
    await app.admin.request('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: agentId, s: [sales.id] });
  });

  it('lists sectors by name with their settings, to agents too', async () => {
    const { sectors } = await agent.request('{ sectors { name color greeting routingMode } }');
    expect(sectors.map((s: { name: string }) => s.name)).toEqual(['Sales', 'Support']);
    expect(sectors[0]).toEqual({ name: 'Sales', color: '#16a34a', greeting: 'Hi from sales', routingMode: 'MANUAL' });
    expect(sectors[1].color).toMatch(/^#[0-9a-f]{6}$/);
    expect(sectors[1].routingMode).toBe('ROUND_ROBIN');
  });

  it('renames a sector and creates and edits channels', async () => {
    const { updateSector } = await app.admin.request('mutation($id: ID!) { updateSector(id: $id, input: { greeting: "Welcome", routingMode: LEAST_BUSY }) { name greeting routingMode } }', { id: support.id });
    expect(updateSector).toEqual({ name: 'Support', greeting: 'Welcome', routingMode: 'LEAST_BUSY' });
    const { createChannel } = await app.admin.request('mutation { createChannel(input: { name: "WhatsApp Sales", kind: WHATSAPP, address: "+55 11 4000-1234" }) { id name kind address isDefault } }');
    expect(createChannel).toMatchObject({ name: 'WhatsApp Sales', kind: 'WHATSAPP', isDefault: false });
    const { updateChannel } = await app.admin.request('mutation($id: ID!) { updateChannel(id: $id, input: { name: "WhatsApp" }) { name kind } }', { id: createChannel.id });
    expect(updateChannel).toEqual({ name: 'WhatsApp', kind: 'WHATSAPP' });
    const { channels } = await agent.request('{ channels { name isDefault } }');
    expect(channels).toEqual([{ name: 'Default', isDefault: true }, { name: 'WhatsApp', isDefault: false }]);
  });
});

describe('an agent (USER)', () => {
  it('sets their own status and profile, and changes their password', async () => {
    const { setMyStatus } = await agent.request('mutation { setMyStatus(status: PAUSED) { status statusChangedAt } }');
    expect(setMyStatus.status).toBe('PAUSED');
    const { updateMyProfile } = await agent.request('mutation { updateMyProfile(input: { name: "Ana Paula", phone: "+55 21 99999-0000" }) { name phone role } }');
    expect(updateMyProfile).toEqual({ name: 'Ana Paula', phone: '+55 21 99999-0000', role: 'USER' });
    const before = await app.snapshot();
    await agent.expectCode('mutation { changeMyPassword(currentPassword: "Wrong-passw0rd", newPassword: "Ana-passw0rd2") { id } }', undefined, 'BAD_USER_INPUT', 'currentPassword');
    expect(await app.snapshot()).toBe(before);
    await agent.request('mutation { changeMyPassword(currentPassword: "Ana-passw0rd", newPassword: "Ana-passw0rd2") { id } }');
    await expectUnchanged(app, () => app.anonymous.expectCode(LOGIN, { email: 'ana@deskgraph.test', password: 'Ana-passw0rd' }, 'UNAUTHENTICATED'));
    const { login } = await app.anonymous.request(LOGIN, { email: 'ana@deskgraph.test', password: 'Ana-passw0rd2' });
    expect(login.token).toBeTruthy();
  });

  const adminOnly: [string, string, () => Record<string, unknown>][] = [
    ['users', '{ users { id } }', () => ({})],
    ['integrations', '{ integrations { id } }', () => ({})],
    ['createUser', CREATE_USER, () => ({ input: { name: 'X', email: 'x@deskgraph.test', password: 'Xx-passw0rd', role: 'ADMIN' } })],
    ['updateUser (promote myself)', UPDATE_USER, () => ({ id: agentId, input: { role: 'ADMIN' } })],
    ['setUserSectors', 'mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', () => ({ u: agentId, s: [support.id] })],
    ['createSector', CREATE_SECTOR, () => ({ input: { name: 'Mine' } })],
    ['updateSector', 'mutation($id: ID!) { updateSector(id: $id, input: { name: "Mine" }) { id } }', () => ({ id: sales.id })],
    ['createChannel', 'mutation { createChannel(input: { name: "Mine", kind: API }) { id } }', () => ({})],
    ['createIntegration', 'mutation { createIntegration(name: "Mine") { token } }', () => ({})],
  ];

  it.each(adminOnly)('gets FORBIDDEN on %s, and nothing changes', async (_name, query, variables) => {
    const before = await app.snapshot();
    await agent.expectCode(query, variables(), 'FORBIDDEN');
    expect(await app.snapshot()).toBe(before);
  });

  it('gets UNAUTHENTICATED without a token', async () => {
    await app.anonymous.expectCode('{ me { id } }', undefined, 'UNAUTHENTICATED');
    await app.anonymous.expectCode('{ sectors { id } }', undefined, 'UNAUTHENTICATED');
    await app.anonymous.expectCode('query($id: ID!) { node(id: $id) { id } }', { id: agentId }, 'UNAUTHENTICATED');
  });
});

describe('validation: every rule answers BAD_USER_INPUT naming the field, and changes nothing', () => {
  const user = (input: Record<string, unknown>) => ({ input: { name: 'Val', email: 'val@deskgraph.test', password: 'Val-passw0rd', role: 'USER', ...input } });
  const hours = (intervals: unknown[], timeZone = 'Europe/Lisbon') => ({ workingHours: { timeZone, intervals } });
  const cases: [string, string, () => Record<string, unknown>, string][] = [
    ['password of 7 characters', CREATE_USER, () => user({ password: 'Abcde1x' }), 'input.password'],
    ['password without a digit', CREATE_USER, () => user({ password: 'Abcdefgh' }), 'input.password'],
    ['password without an upper-case letter', CREATE_USER, () => user({ password: 'abcdefg1' }), 'input.password'],
    ['password without a lower-case letter', CREATE_USER, () => user({ password: 'ABCDEFG1' }), 'input.password'],
    ['empty name', CREATE_USER, () => user({ name: '   ' }), 'input.name'],
    ['name of 121 characters', CREATE_USER, () => user({ name: 'n'.repeat(121) }), 'input.name'],
    ['malformed e-mail', CREATE_USER, () => user({ email: 'not-an-email' }), 'input.email'],
    ['e-mail already in use, in another case', CREATE_USER, () => user({ email: 'ANA@deskgraph.test' }), 'input.email'],
    ['avatar that is not an http(s) URL', CREATE_USER, () => user({ avatarUrl: 'javascript:alert(1)' }), 'input.avatarUrl'],
    ['phone with letters', CREATE_USER, () => user({ phone: 'call me' }), 'input.phone'],
    ['zero max concurrent tickets', CREATE_USER, () => user({ maxConcurrentTickets: 0 }), 'input.maxConcurrentTickets'],
    ['unknown time zone', CREATE_USER, () => user(hours([], 'Mars/Olympus')), 'input.workingHours.timeZone'],
    ['interval ending before it starts', CREATE_USER, () => user(hours([{ weekday: 'MONDAY', start: '18:00', end: '08:00' }])), 'input.workingHours.intervals.0.end'],
    ['interval with 25:00', CREATE_USER, () => user(hours([{ weekday: 'MONDAY', start: '08:00', end: '25:00' }])), 'input.workingHours.intervals.0.end'],
    [
      'overlapping intervals',
      CREATE_USER,
      () => user(hours([{ weekday: 'FRIDAY', start: '08:00', end: '12:00' }, { weekday: 'FRIDAY', start: '11:00', end: '14:00' }])),
      'input.workingHours.intervals.1.start',
    ],
    ['unknown sector', CREATE_USER, () => user({ sectorIds: [Buffer.from('Sector:999').toString('base64')] }), 'input.sectorIds'],
    ['a user id where a sector id belongs', CREATE_USER, () => user({ sectorIds: [agentId] }), 'input.sectorIds.0'],
    ['garbage id', UPDATE_USER, () => ({ id: '???', input: { name: 'X' } }), 'id'],
    ['null name on update', UPDATE_USER, () => ({ id: agentId, input: { name: null } }), 'input.name'],
    ['sector name taken, in another case', CREATE_SECTOR, () => ({ input: { name: 'sales' } }), 'input.name'],
    ['sector name of 61 characters', CREATE_SECTOR, () => ({ input: { name: 's'.repeat(61) } }), 'input.name'],
    ['sector colour that is not #RRGGBB', CREATE_SECTOR, () => ({ input: { name: 'Colour', color: 'green' } }), 'input.color'],
    ['channel with an empty name', 'mutation { createChannel(input: { name: "", kind: API }) { id } }', () => ({}), 'input.name'],
    ['integration with an empty name', 'mutation { createIntegration(name: " ") { token } }', () => ({}), 'name'],
  ];

  it.each(cases)('%s', async (_name, query, variables, field) => {
    const before = await app.snapshot();
    await app.admin.expectCode(query, variables(), 'BAD_USER_INPUT', field);
    expect(await app.snapshot()).toBe(before);
  });

  it('accepts a sector name of exactly 60 characters and a password of exactly 8', async () => {
    await app.admin.request(CREATE_SECTOR, { input: { name: 's'.repeat(60) } });
    await app.admin.request(CREATE_USER, user({ email: 'eight@deskgraph.test', password: 'Abcdef1x' }));
  });
});

describe('the account keeps an ADMIN', () => {
  it('refuses to demote or deactivate the last active ADMIN with CONFLICT, changing nothing', async () => {
    const { me } = await app.admin.request('{ me { id } }');
    const { users } = await app.admin.request('{ users { id role active } }');
    const otherAdmins = users.filter((u: { id: string; role: string; active: boolean }) => u.role === 'ADMIN' && u.active && u.id !== me.id);
    for (const other of otherAdmins) await app.admin.request(UPDATE_USER, { id: other.id, input: { role: 'USER' } });
    const before = await app.snapshot();
    await app.admin.expectCode(UPDATE_USER, { id: me.id, input: { role: 'USER' } }, 'CONFLICT');
    await app.admin.expectCode(UPDATE_USER, { id: me.id, input: { active: false } }, 'CONFLICT');
    expect(await app.snapshot()).toBe(before);
  });
});

describe('account isolation', () => {
  it('never shows or changes another account', async () => {
    const services = app.running.services;
    const other = await services.store.write(async (tx) => {
      const account = await tx.accounts.insert({ name: 'Other Co', timeZone: 'UTC' }, new Date());
      const sector = await tx.sectors.insert({ accountId: account.id, name: 'Sales', color: '#000000', greeting: null, routingMode: 'MANUAL' }, new Date());
      const user = await tx.users.insert(
        {
          accountId: account.id, name: 'Otto', email: 'otto@other.test', passwordHash: await services.passwords.hash('Otto-passw0rd'),
          role: 'ADMIN', active: true, avatarUrl: null, phone: null, status: 'OFFLINE', canDismissWaiting: true,
          canViewAllContacts: true, canMonitor: true, maxConcurrentTickets: null, workingHours: null,
        },
        new Date(),
      );
      return { sectorId: sector.id, userId: user.id };
    });
    const otherUserId = Buffer.from(`User:${other.userId}`).toString('base64');
    const otherSectorId = Buffer.from(`Sector:${other.sectorId}`).toString('base64');

    const { users } = await app.admin.request('{ users { email } }');
    expect(users.map((u: { email: string }) => u.email)).not.toContain('otto@other.test');
    const { sectors } = await app.admin.request('{ sectors { id } }');
    expect(sectors.map((s: { id: string }) => s.id)).not.toContain(otherSectorId);
    expect((await app.admin.request('query($id: ID!) { node(id: $id) { id } }', { id: otherUserId })).node).toBeNull();

    const before = await app.snapshot();
    await app.admin.expectCode(UPDATE_USER, { id: otherUserId, input: { name: 'Hacked' } }, 'NOT_FOUND');
    await app.admin.expectCode('mutation($id: ID!) { updateSector(id: $id, input: { name: "Hacked" }) { id } }', { id: otherSectorId }, 'NOT_FOUND');
    await app.admin.expectCode('mutation($u: ID!, $s: [ID!]!) { setUserSectors(userId: $u, sectorIds: $s) { id } }', { u: agentId, s: [otherSectorId] }, 'BAD_USER_INPUT', 'sectorIds');
    expect(await app.snapshot()).toBe(before);

    const { login } = await app.anonymous.request(LOGIN, { email: 'otto@other.test', password: 'Otto-passw0rd' });
    const { sectors: ottoSectors } = await app.as(login.token).request('{ sectors { name } users { email } }');
    expect(ottoSectors).toEqual([{ name: 'Sales' }]);
  });
});

import type { StoreTx } from '../db/store.js';
import type { AgentStatus, Role, User, UserChanges, WorkingHours } from '../db/types.js';
import { endSessionsOf } from './auth/sessions.js';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertPickableReason } from './pause-reasons.js';
import { assertAdmin, assertAgent } from './permissions.js';
import { routeQueuesOf } from './tickets/routing.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';

export interface UserProfileInput {
  name?: string | null;
  avatarUrl?: string | null;
  phone?: string | null;
}

export interface UserSettingsInput extends UserProfileInput {
  email?: string | null;
  role?: Role | null;
  active?: boolean | null;
  password?: string | null;
  canDismissWaiting?: boolean | null;
  canViewAllContacts?: boolean | null;
  canMonitor?: boolean | null;
  canViewUnsectored?: boolean | null;
  maxConcurrentTickets?: number | null;
  workingHours?: WorkingHours | null;
}

export interface CreateUserInput extends UserSettingsInput {
  name: string;
  email: string;
  password: string;
  role: Role;
  sectorIds?: readonly number[] | null;
}

const profileRules = { name: rules.personName, avatarUrl: rules.avatarUrl, phone: rules.phone };
const settingsRules = {
  ...profileRules,
  email: rules.email,
  password: rules.password,
  maxConcurrentTickets: rules.maxConcurrentTickets,
  workingHours: rules.workingHours,
};
const requiredOnCreate = ['name', 'email', 'password', 'role'] as const;
const nonNullable = ['name', 'email', 'password', 'role', 'active', 'canDismissWaiting', 'canViewAllContacts', 'canMonitor', 'canViewUnsectored'] as const;

function rejectNulls(input: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) if (input[key] === null) throw new BadUserInputError(`input.${key}`, `${key} cannot be null`);
}

async function assertEmailFree(tx: StoreTx, email: string, exceptUserId?: number): Promise<void> {
  if (await tx.users.emailTaken(email, exceptUserId)) throw new BadUserInputError('input.email', 'This e-mail is already in use');
}

async function assertSectorsOfAccount(tx: StoreTx, accountId: number, sectorIds: readonly number[], field: string): Promise<number[]> {
  const unique = [...new Set(sectorIds)];
  const found = await tx.sectors.byIds(accountId, unique);
  if (found.length !== unique.length) throw new BadUserInputError(field, 'Unknown sector');
  return unique;
}

/** Every account keeps one active ADMIN, so nobody can lock the account out of its own settings. */
async function assertAdminRemains(tx: StoreTx, accountId: number, before: User, changes: UserChanges): Promise<void> {
  const losesAdmin = before.role === 'ADMIN' && before.active && (changes.role === 'USER' || changes.active === false);
  if (losesAdmin && (await tx.users.countActiveAdmins(accountId)) <= 1) {
    throw new ConflictError('The account needs at least one active ADMIN');
  }
}

export async function listUsers(services: Services, viewer: Viewer | null): Promise<User[]> {
  assertAdmin(viewer);
  return services.store.users.list(viewer.accountId);
}

/** Colleagues are visible to everyone in the account (names on tickets, transfer targets). */
export async function usersByIds(services: Services, viewer: Viewer, ids: readonly number[]): Promise<User[]> {
  return services.store.users.byIds(viewer.accountId, ids);
}

export async function sectorIdsOfUsers(services: Services, userIds: readonly number[]): Promise<Map<number, number[]>> {
  return services.store.users.sectorIdsOfUsers(userIds);
}

export async function createUser(services: Services, viewer: Viewer | null, input: CreateUserInput): Promise<User> {
  assertAdmin(viewer);
  rejectNulls(input as unknown as Record<string, unknown>, requiredOnCreate);
  const parsed = rules.parseFields(settingsRules, input);
  const passwordHash = await services.passwords.hash(parsed.password!);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    await assertEmailFree(tx, parsed.email!);
    const sectorIds = await assertSectorsOfAccount(tx, viewer.accountId, input.sectorIds ?? [], 'input.sectorIds');
    const user = await tx.users.insert(
      {
        accountId: viewer.accountId,
        name: parsed.name!,
        email: parsed.email!,
        passwordHash,
        role: input.role,
        active: input.active ?? true,
        avatarUrl: parsed.avatarUrl ?? null,
        phone: parsed.phone ?? null,
        status: 'OFFLINE',
        canDismissWaiting: input.canDismissWaiting ?? false,
        canViewAllContacts: input.canViewAllContacts ?? false,
        canMonitor: input.canMonitor ?? false,
        canViewUnsectored: input.canViewUnsectored ?? false,
        maxConcurrentTickets: parsed.maxConcurrentTickets ?? null,
        workingHours: (parsed.workingHours as WorkingHours | undefined) ?? null,
      },
      at,
    );
    await tx.users.replaceSectors(user.id, sectorIds);
    await recordEvent(tx, at, viewer.accountId, 'user.created', { userId: user.id, byUserId: viewer.userId });
    if (sectorIds.length > 0) {
      await recordEvent(tx, at, viewer.accountId, 'membership.changed', { userId: user.id, byUserId: viewer.userId, before: [], after: sectorIds });
    }
    return user;
  });
}

export async function updateUser(services: Services, viewer: Viewer | null, userId: number, input: UserSettingsInput): Promise<User> {
  assertAdmin(viewer);
  rejectNulls(input as Record<string, unknown>, nonNullable);
  const parsed = rules.parseFields(settingsRules, input);
  const { password, ...validated } = parsed;
  const changes: UserChanges = { ...pickDefined(input, ['role', 'active', 'canDismissWaiting', 'canViewAllContacts', 'canMonitor', 'canViewUnsectored']), ...validated } as UserChanges;
  if (password) changes.passwordHash = await services.passwords.hash(password);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const before = await tx.users.byId(viewer.accountId, userId);
    if (!before) throw new NotFoundError('User');
    if (changes.email) await assertEmailFree(tx, changes.email, userId);
    await assertAdminRemains(tx, viewer.accountId, before, changes);
    const user = await tx.users.update(viewer.accountId, userId, changes, at);
    if (!user) throw new NotFoundError('User');
    if (changes.passwordHash || changes.active === false) await endSessionsOf(tx, userId, at);
    const changed = Object.keys(changes).map((key) => (key === 'passwordHash' ? 'password' : key));
    await recordEvent(tx, at, viewer.accountId, 'user.updated', { userId, byUserId: viewer.userId, changed });
    return user;
  });
}

export async function setUserSectors(services: Services, viewer: Viewer | null, userId: number, sectorIds: readonly number[]): Promise<User> {
  assertAdmin(viewer);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const user = await tx.users.byId(viewer.accountId, userId);
    if (!user) throw new NotFoundError('User');
    const after = await assertSectorsOfAccount(tx, viewer.accountId, sectorIds, 'sectorIds');
    const before = (await tx.users.sectorIdsOfUsers([userId])).get(userId) ?? [];
    await tx.users.replaceSectors(userId, after);
    await recordEvent(tx, at, viewer.accountId, 'membership.changed', { userId, byUserId: viewer.userId, before, after });
    return user;
  });
}

/** PAUSED may say why (one of the account's active pause reasons); a reason with any other status is refused. */
export async function setMyStatus(services: Services, viewer: Viewer | null, status: AgentStatus, pauseReasonId: number | null = null): Promise<User> {
  assertAgent(viewer);
  if (pauseReasonId !== null && status !== 'PAUSED') throw new BadUserInputError('pauseReasonId', 'A pause reason goes with PAUSED only');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    if (pauseReasonId !== null) await assertPickableReason(tx, viewer.accountId, pauseReasonId);
    const user = await tx.users.update(viewer.accountId, viewer.userId, { status, statusChangedAt: at, pauseReasonId }, at);
    if (!user) throw new NotFoundError('User');
    // The log keeps every stretch, so time paused today is exact across several pauses.
    await tx.pauses.logStatus({ accountId: viewer.accountId, userId: viewer.userId, status, pauseReasonId }, at);
    await recordEvent(tx, at, viewer.accountId, 'user.statusChanged', { userId: viewer.userId, status, pauseReasonId });
    // Coming ONLINE: waiting tickets of my auto-routed sectors are handed out now.
    if (status === 'ONLINE') await routeQueuesOf(tx, viewer.accountId, viewer.sectorIds, at);
    return user;
  });
}

export async function updateMyProfile(services: Services, viewer: Viewer | null, input: UserProfileInput): Promise<User> {
  assertAgent(viewer);
  rejectNulls(input as Record<string, unknown>, ['name']);
  const changes = rules.parseFields(profileRules, input);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const user = await tx.users.update(viewer.accountId, viewer.userId, changes, at);
    if (!user) throw new NotFoundError('User');
    await recordEvent(tx, at, viewer.accountId, 'user.updated', { userId: user.id, byUserId: viewer.userId, changed: Object.keys(changes) });
    return user;
  });
}

/** Throttled as login is, on the same budget: a stolen token must not guess the password at full speed. */
export async function changeMyPassword(services: Services, viewer: Viewer | null, currentPassword: string, newPassword: string, clientIp: string): Promise<User> {
  assertAgent(viewer);
  const next = rules.parseInput(rules.password, newPassword, 'newPassword');
  const me = await services.store.users.byId(viewer.accountId, viewer.userId);
  if (!me) throw new NotFoundError('User');
  const wait = await services.loginThrottle.retryAfterSeconds(me.email, clientIp);
  if (wait > 0) {
    throw new ForbiddenError(`Too many wrong passwords; try again in ${wait} s`, { reason: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: wait, field: 'currentPassword' });
  }
  const hash = await services.store.users.secretOf(viewer.accountId, viewer.userId);
  if (!hash || !(await services.passwords.verify(hash, currentPassword))) {
    await services.loginThrottle.recordFailure(me.email, clientIp);
    throw new BadUserInputError('currentPassword', 'The current password is wrong');
  }
  await services.loginThrottle.recordSuccess(me.email);
  const passwordHash = await services.passwords.hash(next);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const user = await tx.users.update(viewer.accountId, viewer.userId, { passwordHash }, at);
    if (!user) throw new NotFoundError('User');
    await endSessionsOf(tx, viewer.userId, at);
    await recordEvent(tx, at, viewer.accountId, 'user.updated', { userId: user.id, byUserId: viewer.userId, changed: ['password'] });
    return user;
  });
}

function pickDefined<T extends object, K extends keyof T>(input: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const picked: Partial<Pick<T, K>> = {};
  for (const key of keys) if (input[key] !== undefined && input[key] !== null) picked[key] = input[key];
  return picked;
}

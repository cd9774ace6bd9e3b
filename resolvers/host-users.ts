import type { StoreTx } from '../db/store.js';
import type { Role, User, UserChanges } from '../db/types.js';
import { endSessionsOf } from './auth/sessions.js';
import { BadUserInputError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';

// Users the host platform owns, keyed by its own id (externalId) inside one account: created or
// updated by upsertUser, or created from a sign-on token's claims on first sight. They have no
// password here: the host signs them in.

/** Matches no password: argon2 refuses it as a hash, so login with it always fails. */
const noPassword = '!signed-in-by-the-host';

export interface HostUserFields {
  name?: string | null;
  email?: string | null;
  role?: Role | null;
  sectorIds?: readonly number[] | null;
  active?: boolean | null;
}

const fieldRules = { name: rules.personName, email: rules.email };
const nonNullable = ['name', 'email', 'role', 'active'] as const;

/** The fields checked before any write: present ones valid, none of the required ones null. */
export function parseHostUserFields(input: HostUserFields, prefix: string): HostUserFields {
  for (const key of nonNullable) if (input[key] === null) throw new BadUserInputError(`${prefix}.${key}`, `${key} cannot be null`);
  if (input.role !== undefined && input.role !== 'ADMIN' && input.role !== 'USER') throw new BadUserInputError(`${prefix}.role`, 'ADMIN or USER');
  return { ...input, ...rules.parseFields(fieldRules, input, prefix) };
}

async function sectorsOfAccount(tx: StoreTx, accountId: number, sectorIds: readonly number[], field: string): Promise<number[]> {
  const unique = [...new Set(sectorIds)];
  if ((await tx.sectors.byIds(accountId, unique)).length !== unique.length) throw new BadUserInputError(field, 'Unknown sector');
  return unique;
}

async function assertEmailFree(tx: StoreTx, email: string, prefix: string, exceptUserId?: number): Promise<void> {
  if (await tx.users.emailTaken(email, exceptUserId)) throw new BadUserInputError(`${prefix}.email`, 'This e-mail is already in use');
}

/** A new user of the account with the host's id; name, email and role are required. */
export async function insertHostUser(tx: StoreTx, accountId: number, externalId: string, fields: HostUserFields, at: Date, prefix: string): Promise<User> {
  for (const key of ['name', 'email', 'role'] as const) {
    if (fields[key] === undefined) throw new BadUserInputError(`${prefix}.${key}`, `${key} is required for a new user`);
  }
  await assertEmailFree(tx, fields.email!, prefix);
  const sectorIds = await sectorsOfAccount(tx, accountId, fields.sectorIds ?? [], `${prefix}.sectorIds`);
  const user = await tx.users.insert(
    {
      accountId, externalId, name: fields.name!, email: fields.email!, passwordHash: noPassword, role: fields.role!, active: fields.active ?? true,
      avatarUrl: null, phone: null, status: 'OFFLINE', canDismissWaiting: false, canViewAllContacts: false, canMonitor: false,
      maxConcurrentTickets: null, workingHours: null,
    },
    at,
  );
  await tx.users.replaceSectors(user.id, sectorIds);
  await recordEvent(tx, at, accountId, 'user.created', { userId: user.id, byUserId: null });
  if (sectorIds.length > 0) await recordEvent(tx, at, accountId, 'membership.changed', { userId: user.id, byUserId: null, before: [], after: sectorIds });
  return user;
}

/** The present fields applied to the host's user; deactivation ends their sessions and live subscriptions. */
export async function updateHostUser(tx: StoreTx, before: User, fields: HostUserFields, at: Date, prefix: string): Promise<User> {
  const changes: UserChanges = {};
  if (fields.name) changes.name = fields.name;
  if (fields.email && fields.email !== before.email) {
    await assertEmailFree(tx, fields.email, prefix, before.id);
    changes.email = fields.email;
  }
  if (fields.role) changes.role = fields.role;
  if (typeof fields.active === 'boolean') changes.active = fields.active;
  let user = before;
  if (Object.keys(changes).length > 0) {
    user = (await tx.users.update(before.accountId, before.id, changes, at)) ?? before;
    if (changes.active === false) await endSessionsOf(tx, before.id, at);
    await recordEvent(tx, at, before.accountId, 'user.updated', { userId: before.id, byUserId: null, changed: Object.keys(changes) });
  }
  if (fields.sectorIds !== undefined && fields.sectorIds !== null) {
    const after = await sectorsOfAccount(tx, before.accountId, fields.sectorIds, `${prefix}.sectorIds`);
    const current = (await tx.users.sectorIdsOfUsers([before.id])).get(before.id) ?? [];
    if (after.length !== current.length || after.some((id) => !current.includes(id))) {
      await tx.users.replaceSectors(before.id, after);
      await recordEvent(tx, at, before.accountId, 'membership.changed', { userId: before.id, byUserId: null, before: current, after });
    }
  }
  return user;
}

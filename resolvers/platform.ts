import type { Account, User } from '../db/types.js';
import type { PlatformCaller } from './auth/platform.js';
import { connectionOf, encodeCursor, idWindowOf, type Connection, type PageArgs } from './connections.js';
import { ConflictError, ForbiddenError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import { insertHostUser, parseHostUserFields, updateHostUser, type HostUserFields } from './host-users.js';
import * as rules from './input-rules.js';
import type { Services } from './services.js';

// What the host platform does (the `platform` scope): accounts and the users it owns. Each function
// checks the caller again, so a plugin calling the domain cannot skip the schema's scope.

export function assertPlatform(caller: PlatformCaller | null): asserts caller is PlatformCaller {
  if (!caller) throw new ForbiddenError('Only the host platform may do this', { reason: 'PLATFORM_ONLY' });
}

export interface NewAccountInput {
  name: string;
  timeZone?: string | null;
  locale?: string | null;
}

/** An account id as the API shows it; anything else is BAD_USER_INPUT on `field`. */
export function accountIdOf(id: string | number, field: string): number {
  return rules.parseInput(rules.accountId, id, field);
}

/** A new account with its default channel, and no users: the host upserts them. */
export async function createAccount(services: Services, caller: PlatformCaller | null, input: NewAccountInput): Promise<Account> {
  assertPlatform(caller);
  const name = rules.parseInput(rules.accountName, input.name, 'input.name');
  const timeZone = rules.parseInput(rules.timeZone, input.timeZone ?? 'UTC', 'input.timeZone');
  const locale = rules.parseInput(rules.locale, input.locale ?? 'en-US', 'input.locale');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const account = await tx.accounts.insert({ name, timeZone, locale }, at);
    await tx.channels.insert({ accountId: account.id, name: 'Default', kind: 'API', address: null, isDefault: true }, at);
    await recordEvent(tx, at, account.id, 'account.created', { name });
    return account;
  });
}

/** Every account, newest first. */
export async function listAccounts(services: Services, caller: PlatformCaller | null, args: PageArgs): Promise<Connection<Account>> {
  assertPlatform(caller);
  const window = idWindowOf(args, 0);
  const page = await services.store.accounts.page(window.size, window.cursor, window.direction);
  return connectionOf(page.accounts, window, page.hasMore, (account) => encodeCursor(account.id), () => services.store.accounts.count());
}

export async function accountById(services: Services, caller: PlatformCaller | null, accountId: number): Promise<Account> {
  assertPlatform(caller);
  const account = await services.store.accounts.byId(accountId);
  if (!account) throw new NotFoundError('Account');
  return account;
}

/**
 * Suspends (every token of the account is refused at once, open subscriptions end, data stays) or
 * resumes. Doing it twice changes nothing the second time: a host retrying is answered the same.
 */
export async function setAccountSuspended(services: Services, caller: PlatformCaller | null, accountId: number, suspended: boolean): Promise<Account> {
  assertPlatform(caller);
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const changed = await tx.accounts.setSuspended(accountId, suspended ? at : null);
    if (changed) {
      await recordEvent(tx, at, accountId, suspended ? 'account.suspended' : 'account.resumed', {});
      return changed;
    }
    const account = await tx.accounts.byId(accountId);
    if (!account) throw new NotFoundError('Account');
    return account;
  });
}

/**
 * Removes every row of the account and then its files (data rights; a host closing a tenant). Only a
 * suspended account: its tokens and subscriptions have already stopped, and a slip cannot delete a live one.
 */
export async function deleteAccount(services: Services, caller: PlatformCaller | null, accountId: number): Promise<void> {
  assertPlatform(caller);
  const deleted = await services.store.write(async (tx) => {
    const account = await tx.accounts.byId(accountId);
    if (!account) throw new NotFoundError('Account');
    if (!account.suspendedAt) throw new ConflictError('Suspend the account before deleting it', { reason: 'NOT_SUSPENDED' });
    return (await tx.personalData.deleteAccount(accountId))!;
  });
  await Promise.all(
    deleted.attachmentKeys.map((key) =>
      services.attachments.storage.delete(key).catch((error: unknown) => services.log.error({ err: error, key }, 'a deleted account\'s file could not be removed from storage')),
    ),
  );
  services.log.warn({ accountId }, 'account deleted with all its data');
}

export interface UpsertUserInput extends HostUserFields {
  externalId: string;
}

/** Creates the account's user with this external id, or updates the present fields of the one it has. */
export async function upsertUser(services: Services, caller: PlatformCaller | null, accountId: number, input: UpsertUserInput): Promise<User> {
  assertPlatform(caller);
  const externalId = rules.parseInput(rules.externalId, input.externalId, 'input.externalId');
  const fields = parseHostUserFields(input, 'input');
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    if (!(await tx.accounts.byId(accountId))) throw new NotFoundError('Account');
    const existing = await tx.users.byExternalId(accountId, externalId);
    return existing ? updateHostUser(tx, existing, fields, at, 'input') : insertHostUser(tx, accountId, externalId, fields, at, 'input');
  });
}

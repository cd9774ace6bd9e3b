import type { Account } from '../db/types.js';
import { BadUserInputError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertAdmin, assertAgent } from './permissions.js';
import type { PlatformCaller } from './auth/platform.js';
import { assertPlatform } from './platform.js';
import type { Services } from './services.js';
import type { Viewer } from './viewer.js';

export interface AccountInput {
  name?: string | null;
  timeZone?: string | null;
  locale?: string | null;
}

const accountRules = { name: rules.accountName, timeZone: rules.timeZone, locale: rules.locale };

/** The viewer's own account: every agent reads its zone and locale. */
export async function accountOf(services: Services, viewer: Viewer | null): Promise<Account> {
  assertAgent(viewer);
  const account = await services.store.accounts.byId(viewer.accountId);
  if (!account) throw new NotFoundError('Account');
  return account;
}

/**
 * Name, time zone ("today" in monitoring) and locale of the ADMIN's own account, or of the account
 * `accountId` names for the host platform (only the platform names an account; it has none of its own).
 */
export async function updateAccount(services: Services, viewer: Viewer | null, input: AccountInput, platform: PlatformCaller | null = null, accountId: number | null = null): Promise<Account> {
  let target: number;
  let byUserId: number | null = null;
  if (accountId !== null) {
    assertPlatform(platform);
    target = accountId;
  } else if (platform) {
    throw new BadUserInputError('id', 'The platform names the account to change');
  } else {
    assertAdmin(viewer);
    target = viewer.accountId;
    byUserId = viewer.userId;
  }
  for (const key of ['name', 'timeZone', 'locale'] as const) {
    if (input[key] === null) throw new BadUserInputError(`input.${key}`, `${key} cannot be null`);
  }
  const changes = rules.parseFields(accountRules, input) as Partial<Pick<Account, 'name' | 'timeZone' | 'locale'>>;
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const account = await tx.accounts.update(target, changes);
    if (!account) throw new NotFoundError('Account');
    await recordEvent(tx, at, target, 'account.updated', { byUserId, changed: Object.keys(changes) });
    return account;
  });
}

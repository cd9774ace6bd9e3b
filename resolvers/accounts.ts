import type { Account } from '../db/types.js';
import { BadUserInputError, NotFoundError } from './errors.js';
import { recordEvent } from './events.js';
import * as rules from './input-rules.js';
import { assertAdmin, assertAgent } from './permissions.js';
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

/** Name, time zone ("today" in monitoring) and locale of the ADMIN's own account. */
export async function updateAccount(services: Services, viewer: Viewer | null, input: AccountInput): Promise<Account> {
  assertAdmin(viewer);
  for (const key of ['name', 'timeZone', 'locale'] as const) {
    if (input[key] === null) throw new BadUserInputError(`input.${key}`, `${key} cannot be null`);
  }
  const changes = rules.parseFields(accountRules, input) as Partial<Pick<Account, 'name' | 'timeZone' | 'locale'>>;
  const at = services.clock.now();
  return services.store.write(async (tx) => {
    const account = await tx.accounts.update(viewer.accountId, changes);
    if (!account) throw new NotFoundError('Account');
    await recordEvent(tx, at, viewer.accountId, 'account.updated', { byUserId: viewer.userId, changed: Object.keys(changes) });
    return account;
  });
}

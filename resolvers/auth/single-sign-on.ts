import type { UserWithSectors } from '../../db/types.js';
import { accountSuspendedError, DomainError, UnauthenticatedError } from '../errors.js';
import { insertHostUser, parseHostUserFields } from '../host-users.js';
import type { Services } from '../services.js';
import type { HostClaims } from './tokens.js';

// Single sign-on: the host signs an agent's token with its own key, naming the account
// (deskgraph_account) and the user by the host's id (sub). The external id is only ever looked up
// inside that account, so the same id in two accounts names two users and cannot cross.

export interface SignOn {
  accountId: number;
  externalId: string;
  claims: HostClaims;
}

/** The user a sign-on token names, created from its claims on first sight when PLATFORM_PROVISION_ON_SIGN_IN is on. */
export async function signedOnUser(services: Services, signOn: SignOn): Promise<UserWithSectors> {
  const known = await services.store.users.byExternalId(signOn.accountId, signOn.externalId);
  const id = known?.id ?? (await provision(services, signOn));
  const user = await services.store.users.withSectors(id);
  if (!user) throw new UnauthenticatedError('Unknown user', { reason: 'INVALID_TOKEN' });
  return user;
}

async function provision(services: Services, signOn: SignOn): Promise<number> {
  if (!services.platform.provisionOnSignIn) {
    throw new UnauthenticatedError('No user of this account has this external id', { reason: 'UNKNOWN_USER' });
  }
  const account = await services.store.accounts.byId(signOn.accountId);
  if (!account) throw new UnauthenticatedError('Unknown account', { reason: 'INVALID_TOKEN' });
  if (account.suspendedAt) throw accountSuspendedError();
  const at = services.clock.now();
  try {
    const fields = parseHostUserFields(claimFields(signOn.claims), 'token');
    return await services.store.write(async (tx) => {
      // Two first requests at once: the second finds the first's user (PostgreSQL retries it on the unique index).
      const raced = await tx.users.byExternalId(signOn.accountId, signOn.externalId);
      return raced?.id ?? (await insertHostUser(tx, signOn.accountId, signOn.externalId, fields, at, 'token')).id;
    });
  } catch (error) {
    if (error instanceof DomainError && error.code === 'BAD_USER_INPUT') {
      throw new UnauthenticatedError(`The token's claims cannot make a user: ${error.message}`, { reason: 'PROVISIONING_REFUSED', ...error.details });
    }
    throw error;
  }
}

/** name and email (OpenID Connect's claims), deskgraph_role (USER unless ADMIN), deskgraph_sectors (Sector ids as the API shows them). */
function claimFields(claims: HostClaims) {
  const sectors = claims.sectors === undefined ? [] : claims.sectors;
  if (!Array.isArray(sectors) || !sectors.every((id) => typeof id === 'string')) {
    throw new UnauthenticatedError('deskgraph_sectors must be a list of Sector ids', { reason: 'PROVISIONING_REFUSED', field: 'token.sectorIds' });
  }
  return {
    name: claims.name as string | undefined,
    email: claims.email as string | undefined,
    role: (claims.role ?? 'USER') as 'ADMIN' | 'USER',
    sectorIds: sectors.map(sectorIdOf),
  };
}

/** A Sector id as the API shows it (base64 of "Sector:<n>"); anything else names no sector. */
function sectorIdOf(globalId: string): number {
  const match = /^Sector:([1-9][0-9]{0,15})$/.exec(Buffer.from(globalId, 'base64').toString('utf8'));
  return match ? Number(match[1]) : 0;
}

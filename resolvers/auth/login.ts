import type { User } from '../../db/types.js';
import { accountSuspendedError, UnauthenticatedError } from '../errors.js';
import type { Services } from '../services.js';
import { startSession } from './sessions.js';

export interface LoginResult {
  token: string;
  expiresAt: Date;
  /** Trades for a new access token with `refreshToken`; works once. */
  refreshToken: string;
  user: User;
}

export async function login(services: Services, email: string, password: string, clientIp: string): Promise<LoginResult> {
  const login = email.trim().toLowerCase();
  try {
    await services.loginThrottle.assertAllowed(login, clientIp);
  } catch (error) {
    services.log.warn({ security: 'login.throttled', email: login, clientIp }, 'login refused: too many failures');
    throw error;
  }
  const found = await services.store.users.byEmailWithSecret(login);
  // A user of the host platform has no password (no argon2 hash): answered at the pace of a real check, like an unknown e-mail.
  const hasPassword = found?.passwordHash.startsWith('$argon2') ?? false;
  const matches = hasPassword ? await services.passwords.verify(found!.passwordHash, password) : await services.passwords.verifyDecoy(password);
  if (!found || !matches) {
    await services.loginThrottle.recordFailure(login, clientIp);
    services.log.warn({ security: 'login.failed', email: login, clientIp, reason: found ? 'BAD_PASSWORD' : 'UNKNOWN_EMAIL' }, 'login failed');
    throw new UnauthenticatedError('Wrong e-mail or password', { reason: 'BAD_CREDENTIALS' });
  }
  if (!found.active) {
    services.log.warn({ security: 'login.deactivated', email: login, userId: found.id, clientIp }, 'login refused: user deactivated');
    throw new UnauthenticatedError('This user is deactivated', { reason: 'USER_DEACTIVATED' });
  }
  if ((await services.store.accounts.byId(found.accountId))?.suspendedAt) {
    services.log.warn({ security: 'login.suspended', email: login, userId: found.id, clientIp }, 'login refused: account suspended');
    throw accountSuspendedError();
  }
  await services.loginThrottle.recordSuccess(login);
  const { passwordHash: _hash, ...user } = found;
  const session = await startSession(services, user.id);
  const issued = await services.tokens.issueUserToken(user.id, session.sessionId);
  services.log.info({ userId: user.id }, 'login');
  return { ...issued, refreshToken: session.refreshToken, user };
}

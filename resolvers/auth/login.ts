import type { User } from '../../db/types.js';
import { UnauthenticatedError } from '../errors.js';
import type { Services } from '../services.js';

export interface LoginResult {
  token: string;
  expiresAt: Date;
  user: User;
}

export async function login(services: Services, email: string, password: string, clientIp: string): Promise<LoginResult> {
  const login = email.trim().toLowerCase();
  await services.loginThrottle.assertAllowed(login, clientIp);
  const found = await services.store.users.byEmailWithSecret(login);
  const matches = found ? await services.passwords.verify(found.passwordHash, password) : await services.passwords.verifyDecoy(password);
  if (!found || !matches) {
    await services.loginThrottle.recordFailure(login, clientIp);
    throw new UnauthenticatedError('Wrong e-mail or password', { reason: 'BAD_CREDENTIALS' });
  }
  if (!found.active) throw new UnauthenticatedError('This user is deactivated', { reason: 'USER_DEACTIVATED' });
  await services.loginThrottle.recordSuccess(login);
  const { passwordHash: _hash, ...user } = found;
  const issued = await services.tokens.issueUserToken(user.id);
  services.log.info({ userId: user.id }, 'login');
  return { ...issued, user };
}

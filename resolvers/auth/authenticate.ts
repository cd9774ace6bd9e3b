import { UnauthenticatedError } from '../errors.js';
import type { Services } from '../services.js';
import type { Viewer } from '../viewer.js';

/** Token -> Viewer, reading the user fresh so deactivation, role and sector changes apply at once. */
export async function authenticate(services: Services, token: string): Promise<Viewer> {
  const { subject, expiresAt } = await services.tokens.verify(token);
  if (subject.kind === 'integration') {
    const integration = await services.store.integrations.byId(subject.id);
    if (!integration || integration.revokedAt) throw new UnauthenticatedError('This integration token was revoked', { reason: 'REVOKED' });
    return { kind: 'integration', integrationId: integration.id, accountId: integration.accountId, expiresAt };
  }
  const user = await services.store.users.withSectors(subject.id);
  if (!user) throw new UnauthenticatedError('Unknown user', { reason: 'INVALID_TOKEN' });
  if (!user.active) throw new UnauthenticatedError('This user is deactivated', { reason: 'USER_DEACTIVATED' });
  return { kind: 'user', userId: user.id, accountId: user.accountId, role: user.role, sectorIds: user.sectorIds, expiresAt };
}

/** The bearer token of an Authorization header or a graphql-ws connectionParams value. */
export function bearerToken(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value.trim());
  return match ? match[1]! : value.trim() && !value.includes(' ') ? value.trim() : null;
}

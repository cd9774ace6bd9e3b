import type { Integration, IntegrationScope, UserWithSectors } from '../../db/types.js';
import { accountSuspendedError, UnauthenticatedError } from '../errors.js';
import type { Services } from '../services.js';
import type { IntegrationViewer, UserViewer, Viewer } from '../viewer.js';
import { recentViewerUser, rememberViewerUser } from './recent-viewers.js';
import { hashIntegrationToken, isIntegrationToken } from './integration-tokens.js';
import { isConfiguredPlatformToken, isPlatformToken, type PlatformCaller } from './platform.js';
import { signedOnUser } from './single-sign-on.js';

/** lastUsedAt is shown to the minute: recording it more often would put a write on every bot request. */
const lastUsedResolutionMs = 60_000;

/** How a caller's token was authenticated: `toConfirm` when the viewer is a recent read of the user, not a fresh one (recent-viewers.ts). */
export interface Authenticated {
  caller: Viewer | PlatformCaller;
  toConfirm?: ViewerToConfirm;
}

/** A viewer built from a recent read of the user, and what rebuilds it from a fresh one. */
export interface ViewerToConfirm {
  user: UserWithSectors;
  expiresAt: number;
  sessionId?: string | undefined;
}

/**
 * Token -> Viewer (or the host platform), reading the user or integration fresh so revocation,
 * deactivation, suspension of the account, role and sector changes apply at once. `mayConfirmLater`:
 * the caller confirms a recent read of the user before anything depends on it (recent-viewers.ts).
 */
export async function authenticate(services: Services, token: string, mayConfirmLater = false): Promise<Authenticated> {
  if (isPlatformToken(token)) {
    if (!isConfiguredPlatformToken(services.platform, token)) throw new UnauthenticatedError('Unknown platform token', { reason: 'INVALID_TOKEN' });
    return { caller: { kind: 'platform', via: 'token' } };
  }
  if (isIntegrationToken(token)) {
    // Looked up by its hash through a unique index: no secret is compared byte by byte in memory.
    const integration = await services.store.integrations.byTokenHash(hashIntegrationToken(token));
    if (!integration) throw new UnauthenticatedError('Unknown integration token', { reason: 'INVALID_TOKEN' });
    return { caller: await integrationViewer(services, integration, integration.scopes, integration.accountSuspended) };
  }
  const { subject, expiresAt, sessionId } = await services.tokens.verify(token);
  if (subject.kind === 'platform') return { caller: { kind: 'platform', via: 'host-key' } };
  if (subject.kind === 'integration') return { caller: await legacyIntegrationViewer(services, subject.id) };
  if (subject.kind === 'user' && mayConfirmLater) {
    const recent = recentViewerUser(services, subject.id);
    // Only a user who was let in last time: a refusal is never served from memory.
    if (recent && recent.active && !recent.accountSuspended) return { caller: userViewerOf(recent, expiresAt, sessionId), toConfirm: { user: recent, expiresAt, sessionId } };
  }
  const user = subject.kind === 'external' ? await signedOnUser(services, subject) : await services.store.users.withSectors(subject.id);
  if (subject.kind === 'user') rememberViewerUser(services, subject.id, user);
  return { caller: userViewerOf(user, expiresAt, sessionId) };
}

/** The viewer of a user as read now, or the refusal that applies to them. */
export function userViewerOf(user: UserWithSectors | null, expiresAt: number, sessionId?: string): UserViewer {
  if (!user) throw new UnauthenticatedError('Unknown user', { reason: 'INVALID_TOKEN' });
  if (user.accountSuspended) throw accountSuspendedError();
  if (!user.active) throw new UnauthenticatedError('This user is deactivated', { reason: 'USER_DEACTIVATED' });
  return {
    kind: 'user', userId: user.id, accountId: user.accountId, role: user.role, sectorIds: user.sectorIds, canViewUnsectored: user.canViewUnsectored, expiresAt,
    ...(sessionId ? { sessionId } : {}),
  };
}

/**
 * Integration JWTs (sub = the Integration id) were issued before tokens became opaque. They keep
 * working for INGEST only, until the integration is revoked or given an opaque token by rotation.
 */
async function legacyIntegrationViewer(services: Services, integrationId: number): Promise<IntegrationViewer> {
  const integration = await services.store.integrations.byId(integrationId);
  if (!integration) throw new UnauthenticatedError('This integration token was revoked', { reason: 'REVOKED' });
  // A hint exists only once the integration holds an opaque token, which replaces every JWT it had.
  if (integration.tokenHint !== null && !integration.revokedAt) {
    throw new UnauthenticatedError('This integration token was replaced by a newer one', { reason: 'REVOKED' });
  }
  const accountSuspended = Boolean((await services.store.accounts.byId(integration.accountId))?.suspendedAt);
  return integrationViewer(services, integration, integration.scopes.filter((scope) => scope === 'INGEST'), accountSuspended);
}

async function integrationViewer(services: Services, integration: Integration, scopes: IntegrationScope[], accountSuspended: boolean): Promise<IntegrationViewer> {
  if (integration.revokedAt) throw new UnauthenticatedError('This integration token was revoked', { reason: 'REVOKED' });
  if (accountSuspended) throw accountSuspendedError();
  await noteUse(services, integration);
  return { kind: 'integration', integrationId: integration.id, accountId: integration.accountId, scopes };
}

/** Bookkeeping, not a domain change: no event, and a failure to record it never refuses the request. */
async function noteUse(services: Services, integration: Integration): Promise<void> {
  const at = services.clock.now();
  if (integration.lastUsedAt && at.getTime() - integration.lastUsedAt.getTime() < lastUsedResolutionMs) return;
  try {
    await services.store.write((tx) => tx.integrations.markUsed(integration.id, at, new Date(at.getTime() - lastUsedResolutionMs)));
  } catch (error) {
    services.log.warn({ err: error, integrationId: integration.id }, 'could not record integration use');
  }
}

/** The bearer token of an Authorization header or a graphql-ws connectionParams value. */
export function bearerToken(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value.trim());
  return match ? match[1]! : value.trim() && !value.includes(' ') ? value.trim() : null;
}

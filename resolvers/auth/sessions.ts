import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { StoreTx } from '../../db/store.js';
import type { User } from '../../db/types.js';
import { accountSuspendedError, UnauthenticatedError } from '../errors.js';
import { assertAgent } from '../permissions.js';
import type { Services } from '../services.js';
import type { Viewer } from '../viewer.js';

// Login sessions: short access tokens (JWT) renewed with rotating refresh tokens. A refresh
// token works once; presenting it again (a stolen copy, or the owner after a thief used it)
// ends the whole session, for both.

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

async function handOut(tx: StoreTx, userId: number, family: string, at: Date, ttlSeconds: number): Promise<string> {
  const token = `dgr_${randomBytes(32).toString('base64url')}`;
  await tx.refreshTokens.insert({ userId, family, tokenHash: hashOf(token), createdAt: at, expiresAt: new Date(at.getTime() + ttlSeconds * 1000) });
  return token;
}

/** A new session at login: its first refresh token, and the family id the access token carries. */
export async function startSession(services: Services, userId: number): Promise<{ sessionId: string; refreshToken: string }> {
  const at = services.clock.now();
  const sessionId = randomUUID();
  const refreshToken = await services.store.write((tx) => handOut(tx, userId, sessionId, at, services.tokens.refreshTokenTtlSeconds));
  return { sessionId, refreshToken };
}

export interface RefreshResult {
  token: string;
  expiresAt: Date;
  refreshToken: string;
  user: User;
}

type Outcome = { kind: 'invalid'; reason: string } | { kind: 'reused'; userId: number; family: string } | { kind: 'renewed'; user: User; family: string; refreshToken: string };

/** Trades a refresh token for a new access token and the next refresh token of its session. */
export async function refreshSession(services: Services, presented: string, clientIp: string): Promise<RefreshResult> {
  const at = services.clock.now();
  const outcome = await services.store.write(async (tx): Promise<Outcome> => {
    const row = await tx.refreshTokens.byHash(hashOf(presented));
    if (!row || row.revokedAt) return { kind: 'invalid', reason: 'INVALID_REFRESH_TOKEN' };
    if (row.expiresAt.getTime() <= at.getTime()) return { kind: 'invalid', reason: 'REFRESH_TOKEN_EXPIRED' };
    // Already rotated, or a concurrent refresh just rotated it: reuse, so the session ends.
    if (row.rotatedAt || !(await tx.refreshTokens.markRotated(row.id, at))) {
      await tx.refreshTokens.revokeFamily(row.family, at);
      return { kind: 'reused', userId: row.userId, family: row.family };
    }
    const user = await tx.users.withSectors(row.userId);
    if (!user?.active) {
      await tx.refreshTokens.revokeFamily(row.family, at);
      return { kind: 'invalid', reason: 'USER_DEACTIVATED' };
    }
    // Thrown, so the rotation rolls back: the session survives the suspension and works again on resume.
    if (user.accountSuspended) throw accountSuspendedError();
    const { sectorIds: _sectors, accountSuspended: _suspended, ...plain } = user;
    return { kind: 'renewed', user: plain, family: row.family, refreshToken: await handOut(tx, row.userId, row.family, at, services.tokens.refreshTokenTtlSeconds) };
  });
  if (outcome.kind === 'reused') {
    services.log.warn({ security: 'refresh.reused', userId: outcome.userId, clientIp }, 'a rotated refresh token was presented again: its session is revoked');
    throw new UnauthenticatedError('This refresh token was already used; the session is ended, sign in again', { reason: 'REFRESH_TOKEN_REUSED' });
  }
  if (outcome.kind === 'invalid') throw new UnauthenticatedError('Invalid refresh token', { reason: outcome.reason });
  const issued = await services.tokens.issueUserToken(outcome.user.id, outcome.family);
  return { ...issued, refreshToken: outcome.refreshToken, user: outcome.user };
}

/** Ends the caller's session (every session of theirs when the token names none). */
export async function logout(services: Services, viewer: Viewer | null): Promise<boolean> {
  assertAgent(viewer);
  const at = services.clock.now();
  await services.store.write((tx) =>
    viewer.sessionId ? tx.refreshTokens.revokeFamily(viewer.sessionId, at) : tx.refreshTokens.revokeAllOf(viewer.userId, at),
  );
  return true;
}

/** Inside a password change or a deactivation: no refresh token of the user works afterwards. */
export async function endSessionsOf(tx: StoreTx, userId: number, at: Date): Promise<void> {
  await tx.refreshTokens.revokeAllOf(userId, at);
}

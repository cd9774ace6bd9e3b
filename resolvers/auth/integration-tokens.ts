import { createHash, randomBytes } from 'node:crypto';
import type { StoredToken } from '../../db/types.js';

// Integration tokens are opaque random strings, not JWTs: a bot keeps one for months, so it must be
// revocable and rotatable by a row, and Deskgraph keeps only its SHA-256 (a leaked database holds no
// usable token). 32 random bytes make guessing hopeless, so a fast hash is enough (no argon2 needed).

/** Tells an integration token from a JWT at a glance, in headers and in secret scanners. */
export const integrationTokenPrefix = 'dgi_';

const hintLength = 4;

export function isIntegrationToken(token: string): boolean {
  return token.startsWith(integrationTokenPrefix);
}

export function hashIntegrationToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A fresh token, to be shown once, and what the database keeps of it. */
export function newIntegrationToken(): { token: string; stored: StoredToken } {
  const token = integrationTokenPrefix + randomBytes(32).toString('base64url');
  return { token, stored: { tokenHash: hashIntegrationToken(token), tokenHint: token.slice(-hintLength) } };
}

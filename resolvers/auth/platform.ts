import { createHash, timingSafeEqual } from 'node:crypto';

// The platform credential: the host that mounts Deskgraph for many accounts. It creates, lists,
// suspends and resumes accounts and upserts their users; it is no account's ADMIN and reads no
// account's tickets. Configured as SHA-256 digests (PLATFORM_TOKEN_SHA256), so neither the
// environment nor a configuration dump holds a usable token; several digests let a rotation overlap.

/** Tells a platform token from a JWT or an integration token at a glance. */
export const platformTokenPrefix = 'dgp_';

/** The host platform, signed in by its token or by a token of its key with the platform claim. */
export interface PlatformCaller {
  kind: 'platform';
  via: 'token' | 'host-key';
}

export interface PlatformSettings {
  /** SHA-256 (hex) of each accepted platform token; empty: no platform token works. */
  tokenSha256: readonly string[];
  /** Create the user of a first-seen sign-on token from its claims (off: an unknown external id is refused). */
  provisionOnSignIn: boolean;
}

export const noPlatform: PlatformSettings = { tokenSha256: [], provisionOnSignIn: false };

export function isPlatformToken(token: string): boolean {
  return token.startsWith(platformTokenPrefix);
}

export function platformTokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares digests in constant time against every configured one, so timing tells nothing. */
export function isConfiguredPlatformToken(settings: PlatformSettings, token: string): boolean {
  const presented = Buffer.from(platformTokenDigest(token), 'hex');
  let found = false;
  for (const digest of settings.tokenSha256) {
    const configured = Buffer.from(digest, 'hex');
    if (configured.length === presented.length && timingSafeEqual(configured, presented)) found = true;
  }
  return found;
}

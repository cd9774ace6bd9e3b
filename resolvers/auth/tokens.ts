import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { UnauthenticatedError } from '../errors.js';
import * as rules from '../input-rules.js';
import { subFromToken, subjectToSub, type Subject } from './subjects.js';

export interface TokenConfig {
  /** HS256 secret, used as the UTF-8 bytes of the string; signs the tokens Deskgraph issues. */
  secret: string;
  /** PEM (SPKI) public key of a host platform that issues its own tokens. */
  publicKeyPem?: string | undefined;
  /** JWKS URL of a host platform that issues its own tokens. */
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
  userTokenTtlSeconds: number;
  /** Lifetime of a refresh token (each refresh hands out a new one); default 30 days. */
  refreshTokenTtlSeconds?: number | undefined;
  clockToleranceSeconds: number;
}

/**
 * Who a token names. `platform` and `external` come only from tokens signed by the host's key
 * (JWT_PUBLIC_KEY / JWT_JWKS_URL): Deskgraph's own secret never signs them (docs: README, Platform).
 */
export type TokenSubject = Subject | { kind: 'platform' } | { kind: 'external'; accountId: number; externalId: string; claims: HostClaims };

/** What a host's sign-on token may say about the user, for provisioning on first sight. */
export interface HostClaims {
  name?: unknown;
  email?: unknown;
  role?: unknown;
  sectors?: unknown;
}

/** The claim names of host-signed tokens. */
export const hostClaim = { platform: 'deskgraph_platform', account: 'deskgraph_account', role: 'deskgraph_role', sectors: 'deskgraph_sectors' } as const;

export interface VerifiedToken {
  subject: TokenSubject;
  expiresAt: number;
  /** The refresh-token family (login session) the token was issued for, when it was. */
  sessionId?: string;
}

const asymmetricAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** The one algorithm a PEM key may be used with, read from the key itself. */
function algorithmOf(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`JWT_PUBLIC_KEY: unsupported key type ${type ?? 'unknown'}`);
}

export function createTokenService(config: TokenConfig, clock: { now(): Date }) {
  if (config.secret.length < 32) throw new Error('JWT_SECRET must be at least 32 characters');
  const secret = new TextEncoder().encode(config.secret);
  const publicKey = config.publicKeyPem ? createPublicKey(config.publicKeyPem) : undefined;
  const publicKeyAlgorithm = publicKey ? algorithmOf(publicKey) : undefined;
  const jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
  const algorithms = ['HS256', ...(publicKeyAlgorithm ? [publicKeyAlgorithm] : []), ...(jwks ? asymmetricAlgorithms : [])];

  // HS256 only ever checks against the secret, so a public key can never be used as an HMAC key.
  const keyFor: JWTVerifyGetKey = async (header: JWTHeaderParameters, token) => {
    if (header.alg === 'HS256') return secret;
    if (publicKey && header.alg === publicKeyAlgorithm) return publicKey;
    if (jwks) return jwks(header, token);
    throw new joseErrors.JOSEAlgNotAllowed('unexpected algorithm');
  };

  // A token that verified once verifies again until its time claims say otherwise: signature, alg,
  // iss, aud and sub are fixed in the string. Kept only for our own keys (secret, PEM): JWKS keys can
  // be rotated away, so those tokens are checked every time. Saves ~0.2 ms of CPU per request.
  const verified = new Map<string, { token: VerifiedToken; notBefore: number | undefined }>();
  const maxVerified = 10_000;

  /** jose's own time checks (nbf, exp with the tolerance); a miss goes through jose again. */
  function stillValid(entry: { token: VerifiedToken; notBefore: number | undefined }): boolean {
    const now = Math.floor(clock.now().getTime() / 1000);
    const tolerance = config.clockToleranceSeconds;
    return entry.token.expiresAt > now - tolerance && (entry.notBefore === undefined || entry.notBefore <= now + tolerance);
  }

  async function issue(subject: Subject, ttlSeconds: number, claims: Record<string, unknown>) {
    const issuedAt = Math.floor(clock.now().getTime() / 1000);
    const expiresAt = issuedAt + ttlSeconds;
    let jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(subjectToSub(subject))
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt);
    if (config.issuer) jwt = jwt.setIssuer(config.issuer);
    if (config.audience) jwt = jwt.setAudience(config.audience);
    return { token: await jwt.sign(secret), expiresAt: new Date(expiresAt * 1000) };
  }

  return {
    /** An access token; `sessionId` names the login session (refresh-token family) behind it. */
    issueUserToken(userId: number, sessionId?: string) {
      return issue({ kind: 'user', id: userId }, config.userTokenTtlSeconds, sessionId ? { sid: sessionId } : {});
    },

    refreshTokenTtlSeconds: config.refreshTokenTtlSeconds ?? 30 * 24 * 3600,

    /**
     * Checks signature, algorithm, exp (required), iss/aud when configured; throws UNAUTHENTICATED.
     * A subject may still be an Integration: JWTs issued to integrations before their tokens became opaque.
     */
    async verify(token: string): Promise<VerifiedToken> {
      const known = verified.get(token);
      if (known && stillValid(known)) return known.token;
      verified.delete(token);
      try {
        const { payload, protectedHeader } = await jwtVerify(token, keyFor, {
          algorithms,
          issuer: config.issuer,
          audience: config.audience,
          clockTolerance: config.clockToleranceSeconds,
          currentDate: clock.now(),
          requiredClaims: ['exp', 'sub'],
        });
        const signedByHost = protectedHeader.alg !== 'HS256';
        const subject = subjectOf(payload, signedByHost);
        if (!subject || payload.exp === undefined) throw new UnauthenticatedError('Token subject is not a Deskgraph user or integration');
        const result: VerifiedToken = { subject, expiresAt: payload.exp, ...(typeof payload['sid'] === 'string' ? { sessionId: payload['sid'] } : {}) };
        if (protectedHeader.alg === 'HS256' || (publicKey && protectedHeader.alg === publicKeyAlgorithm)) {
          if (verified.size >= maxVerified) verified.delete(verified.keys().next().value!);
          verified.set(token, { token: result, notBefore: payload.nbf });
        }
        return result;
      } catch (error) {
        if (error instanceof UnauthenticatedError) throw error;
        if (error instanceof joseErrors.JWTExpired) throw new UnauthenticatedError('Token expired', { reason: 'TOKEN_EXPIRED' });
        throw new UnauthenticatedError('Invalid token', { reason: 'INVALID_TOKEN' });
      }
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;

/**
 * The subject of a verified payload. Platform and sign-on claims count only from the host's key; on
 * a token of our own secret they make it invalid, since Deskgraph never issues such tokens.
 */
function subjectOf(payload: JWTPayload, signedByHost: boolean): TokenSubject | null {
  const platform = payload[hostClaim.platform];
  const account = payload[hostClaim.account];
  if (platform === undefined && account === undefined) return subFromToken(payload.sub ?? '');
  if (!signedByHost) return null;
  if (platform !== undefined) return platform === true && account === undefined ? { kind: 'platform' } : null;
  const accountId = rules.accountId.safeParse(account);
  const externalId = rules.externalId.safeParse(payload.sub);
  if (!accountId.success || !externalId.success) return null;
  return {
    kind: 'external',
    accountId: accountId.data,
    externalId: externalId.data,
    claims: { name: payload['name'], email: payload['email'], role: payload[hostClaim.role], sectors: payload[hostClaim.sectors] },
  };
}

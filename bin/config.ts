import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { defaultLoginThrottle } from '../resolvers/auth/login-throttle.js';
import { defaultUploadLimits } from '../resolvers/attachments/limits.js';
import { defaultLimits } from '../schema/protection.js';
import type { DeskgraphConfig } from '../server.js';

export type Env = Record<string, string | undefined>;

function integer(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

/** A comma list of MIME types (`type/subtype`, lower-cased); unset or empty keeps the default list. */
function mimeList(env: Env, name: string): string[] | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const types = raw.split(',').map((type) => type.trim().toLowerCase()).filter(Boolean);
  const bad = types.find((type) => !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type));
  if (bad) throw new Error(`${name} must be a comma list of MIME types like image/png, got "${bad}"`);
  return types;
}

/** Without JWT_SECRET, one is generated once and kept beside the database, so tokens survive restarts. */
function jwtSecretOf(env: Env, dataDir: string, log: Logger): string {
  if (env['JWT_SECRET']) return env['JWT_SECRET'];
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    log.warn({ file }, 'JWT_SECRET is not set; using the secret generated earlier in the data folder');
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  log.warn({ file }, 'JWT_SECRET is not set; generated one and kept it in the data folder');
  return secret;
}

export function loadConfig(env: Env, log: Logger): DeskgraphConfig & { port: number; host: string | undefined } {
  const production = env['NODE_ENV'] === 'production';
  const databaseUrl = env['DATABASE_URL'] || './data/deskgraph.sqlite';
  const dataDir = /^postgres/.test(databaseUrl) ? resolve('./data') : dirname(resolve(databaseUrl.replace(/^(file|sqlite):/, '')));
  return {
    port: integer(env, 'PORT', 4000),
    host: env['HOST'] || undefined,
    databaseUrl,
    production,
    graphiql: !production,
    jwt: {
      secret: jwtSecretOf(env, dataDir, log),
      publicKeyPem: env['JWT_PUBLIC_KEY']?.replace(/\\n/g, '\n') || undefined,
      jwksUrl: env['JWT_JWKS_URL'] || undefined,
      issuer: env['JWT_ISSUER'] || undefined,
      audience: env['JWT_AUDIENCE'] || undefined,
      userTokenTtlSeconds: integer(env, 'JWT_TTL_SECONDS', 12 * 3600),
      clockToleranceSeconds: 5,
    },
    bootstrap: {
      email: env['BOOTSTRAP_ADMIN_EMAIL'] || undefined,
      password: env['BOOTSTRAP_ADMIN_PASSWORD'] || undefined,
      accountName: env['BOOTSTRAP_ACCOUNT_NAME'] || undefined,
      timeZone: env['BOOTSTRAP_TIME_ZONE'] || undefined,
    },
    loginThrottle: {
      failuresPerEmail: integer(env, 'LOGIN_FAILURES_PER_EMAIL', defaultLoginThrottle.failuresPerEmail),
      failuresPerIp: integer(env, 'LOGIN_FAILURES_PER_IP', defaultLoginThrottle.failuresPerIp),
      windowSeconds: integer(env, 'LOGIN_THROTTLE_WINDOW_SECONDS', defaultLoginThrottle.windowSeconds),
    },
    limits: defaultLimits,
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 1024 * 1024),
    trustProxy: env['TRUST_PROXY'] === 'true',
    relay: { retentionMs: integer(env, 'OUTBOX_RETENTION_DAYS', 7) * 24 * 3600_000 },
    uploads: {
      maxBytes: integer(env, 'UPLOAD_MAX_BYTES', defaultUploadLimits.maxBytes),
      allowedTypes: mimeList(env, 'UPLOAD_ALLOWED_TYPES') ?? defaultUploadLimits.allowedTypes,
      directory: env['UPLOAD_DIR'] ? resolve(env['UPLOAD_DIR']) : join(dataDir, 'attachments'),
    },
    plugins: (env['PLUGINS'] ?? '').split(',').map((spec) => spec.trim()).filter(Boolean),
    env,
  };
}

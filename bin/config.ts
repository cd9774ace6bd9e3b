import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { defaultLoginThrottle } from '../resolvers/auth/login-throttle.js';
import { defaultAccountLimits } from '../resolvers/account-limits.js';
import * as rules from '../resolvers/input-rules.js';
import { defaultUploadLimits } from '../resolvers/attachments/limits.js';
import { defaultLimits } from '../schema/protection.js';
import { loadTrustedDocuments } from '../http/persisted-operations.js';
import type { DeskgraphConfig } from '../server.js';

export type Env = Record<string, string | undefined>;

function isOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return /^https?:$/.test(url.protocol) && url.origin === origin;
  } catch {
    return false;
  }
}

/** `*`, or a comma list of exact origins such as https://console.example.com (no path). */
const corsOrigins = z.string().transform((raw, ctx): readonly string[] | '*' => {
  const origins = raw.split(',').map((origin) => origin.trim()).filter(Boolean);
  if (origins.length === 1 && origins[0] === '*') return '*';
  const bad = origins.find((origin) => !isOrigin(origin));
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `"${bad}" is not an origin: use * or a comma list like https://console.example.com (no path or trailing slash)` });
    return z.NEVER;
  }
  return origins;
});

/** A comma list of MIME types such as image/png,application/pdf (lower-cased). */
const mimeTypes = z.string().transform((raw, ctx): string[] | undefined => {
  const types = raw.split(',').map((type) => type.trim().toLowerCase()).filter(Boolean);
  if (types.length === 0) return undefined;
  const bad = types.find((type) => !/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type));
  if (bad !== undefined) {
    ctx.addIssue({ code: 'custom', message: `must be a comma list of MIME types like image/png, got "${bad}"` });
    return z.NEVER;
  }
  return types;
});

/** Comma list of SHA-256 digests (64 hex digits each), e.g. of the platform tokens in use during a rotation. */
const sha256List = z.string().transform((value, ctx) => {
  const digests = value.split(',').map((digest) => digest.trim().toLowerCase()).filter(Boolean);
  if (digests.length === 0 || digests.some((digest) => !/^[0-9a-f]{64}$/.test(digest))) {
    ctx.addIssue({ code: 'custom', message: 'must be a comma list of SHA-256 digests (64 hex digits each)' });
    return z.NEVER;
  }
  return digests;
});

/** Every variable is checked before anything starts; each bad one is named in its own message. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const count = (fallback: number) => z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0, 'must not be negative').default(fallback);
const flag = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).default('false').transform((value) => value === 'true' || value === '1');
const text = z.string().optional();

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const variables = z
  .object({
    NODE_ENV: text,
    PORT: count(4000).pipe(z.number().max(65535, 'must be a port number (0-65535)')),
    HOST: text,
    DATABASE_URL: z.string().default('./data/deskgraph.sqlite'),
    DATABASE_POOL_SIZE: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be at least 1').optional(),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    REDIS_PREFIX: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
      .default('deskgraph'),
    LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
    JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    JWT_PUBLIC_KEY: text,
    JWT_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    JWT_ISSUER: text,
    JWT_AUDIENCE: text,
    JWT_TTL_SECONDS: count(15 * 60).pipe(z.number().min(1, 'must be at least 1')),
    REFRESH_TOKEN_TTL_SECONDS: count(30 * 24 * 3600).pipe(z.number().min(60, 'must be at least 60')),
    PLATFORM_TOKEN_SHA256: sha256List.optional(),
    PLATFORM_PROVISION_ON_SIGN_IN: flag,
    BOOTSTRAP_ADMIN_EMAIL: rules.email.optional(),
    BOOTSTRAP_ADMIN_PASSWORD: rules.password.optional(),
    BOOTSTRAP_ACCOUNT_NAME: text,
    BOOTSTRAP_TIME_ZONE: rules.timeZone.optional(),
    LOGIN_FAILURES_PER_EMAIL: count(defaultLoginThrottle.failuresPerEmail),
    LOGIN_FAILURES_PER_IP: count(defaultLoginThrottle.failuresPerIp),
    LOGIN_THROTTLE_WINDOW_SECONDS: count(defaultLoginThrottle.windowSeconds),
    ACCOUNT_REQUESTS_PER_MINUTE: count(defaultAccountLimits.requestsPerMinute),
    ACCOUNT_INGESTS_PER_MINUTE: count(defaultAccountLimits.ingestsPerMinute),
    BODY_LIMIT_BYTES: count(1024 * 1024),
    TRUST_PROXY: flag,
    OUTBOX_RETENTION_DAYS: count(7),
    SHUTDOWN_GRACE_MS: count(10_000),
    UPLOAD_MAX_BYTES: count(defaultUploadLimits.maxBytes).pipe(z.number().min(1, 'must be at least 1')),
    UPLOAD_ALLOWED_TYPES: mimeTypes.optional(),
    UPLOAD_DIR: text,
    PRESENCE_LEASE_SECONDS: count(10).pipe(z.number().min(1, 'must be at least 1')),
    RELAY_LEASE_SECONDS: count(6).pipe(z.number().min(1, 'must be at least 1')),
    PLUGINS: z.string().default(''),
    CORS_ORIGINS: corsOrigins.optional(),
    PERSISTED_OPERATIONS_FILE: text,
    PERSISTED_OPERATIONS_ONLY: flag,
    OTEL_EXPORTER_OTLP_ENDPOINT: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    OTEL_SERVICE_NAME: z.string().default('deskgraph'),
  })
  .superRefine((env, ctx) => {
    // The secret generated into the data folder is a development convenience, never production's.
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'is required in production (at least 32 characters)' });
    }
    if (env.PERSISTED_OPERATIONS_ONLY && !env.PERSISTED_OPERATIONS_FILE) {
      ctx.addIssue({ code: 'custom', path: ['PERSISTED_OPERATIONS_ONLY'], message: 'needs PERSISTED_OPERATIONS_FILE (the trusted documents)' });
    }
  });

export type Variables = z.infer<typeof variables>;

/** Validates the whole environment at once; empty values count as unset. Throws ConfigError. */
export function readEnv(env: Env): Variables {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = variables.safeParse(present);
  if (parsed.success) return parsed.data;
  // One message per variable: the first rule it breaks.
  const problems = new Map<string, string>();
  for (const issue of parsed.error.issues) {
    const name = issue.path.join('.');
    if (!problems.has(name)) problems.set(name, `${name}: ${issue.message}`);
  }
  throw new ConfigError([...problems.values()]);
}

/** The SQLite file of DATABASE_URL (a path, or file:/sqlite: before one). */
export function sqlitePathOf(env: Env): string {
  const url = env['DATABASE_URL'] || './data/deskgraph.sqlite';
  if (/^postgres/.test(url)) throw new ConfigError(['DATABASE_URL: backups of PostgreSQL are pg_dump\'s job (see the README)']);
  return resolve(url.replace(/^(file|sqlite):/, ''));
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
function jwtSecretOf(secret: string | undefined, dataDir: string, log: Logger): string {
  if (secret) return secret;
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) {
    log.warn({ file }, 'JWT_SECRET is not set; using the secret generated earlier in the data folder');
    return readFileSync(file, 'utf8').trim();
  }
  mkdirSync(dataDir, { recursive: true });
  const generated = randomBytes(48).toString('base64url');
  writeFileSync(file, `${generated}\n`, { mode: 0o600 });
  log.warn({ file }, 'JWT_SECRET is not set; generated one and kept it in the data folder');
  return generated;
}

export function loadConfig(env: Env, log: Logger): DeskgraphConfig & { port: number; host: string | undefined; dataDir: string } {
  const vars = readEnv(env);
  if (vars.PERSISTED_OPERATIONS_FILE) {
    try {
      loadTrustedDocuments(vars.PERSISTED_OPERATIONS_FILE);
    } catch (error) {
      throw new ConfigError([(error as Error).message]);
    }
  }
  const production = vars.NODE_ENV === 'production';
  const databaseUrl = vars.DATABASE_URL;
  const dataDir = /^postgres/.test(databaseUrl) ? resolve('./data') : dirname(resolve(databaseUrl.replace(/^(file|sqlite):/, '')));
  return {
    port: vars.PORT,
    dataDir,
    host: vars.HOST,
    databaseUrl,
    ...(vars.DATABASE_POOL_SIZE ? { databasePoolSize: vars.DATABASE_POOL_SIZE } : {}),
    ...(vars.REDIS_URL ? { redisUrl: vars.REDIS_URL, redisPrefix: vars.REDIS_PREFIX } : {}),
    production,
    graphiql: !production,
    jwt: {
      secret: jwtSecretOf(vars.JWT_SECRET, dataDir, log),
      publicKeyPem: vars.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n'),
      jwksUrl: vars.JWT_JWKS_URL,
      issuer: vars.JWT_ISSUER,
      audience: vars.JWT_AUDIENCE,
      userTokenTtlSeconds: vars.JWT_TTL_SECONDS,
      refreshTokenTtlSeconds: vars.REFRESH_TOKEN_TTL_SECONDS,
      clockToleranceSeconds: 5,
    },
    platform: { tokenSha256: vars.PLATFORM_TOKEN_SHA256 ?? [], provisionOnSignIn: vars.PLATFORM_PROVISION_ON_SIGN_IN },
    bootstrap: {
      email: vars.BOOTSTRAP_ADMIN_EMAIL,
      password: vars.BOOTSTRAP_ADMIN_PASSWORD,
      accountName: vars.BOOTSTRAP_ACCOUNT_NAME,
      timeZone: vars.BOOTSTRAP_TIME_ZONE,
    },
    loginThrottle: {
      failuresPerEmail: vars.LOGIN_FAILURES_PER_EMAIL,
      failuresPerIp: vars.LOGIN_FAILURES_PER_IP,
      windowSeconds: vars.LOGIN_THROTTLE_WINDOW_SECONDS,
    },
    accountLimits: { requestsPerMinute: vars.ACCOUNT_REQUESTS_PER_MINUTE, ingestsPerMinute: vars.ACCOUNT_INGESTS_PER_MINUTE },
    limits: defaultLimits,
    bodyLimitBytes: vars.BODY_LIMIT_BYTES,
    trustProxy: vars.TRUST_PROXY,
    relay: { retentionMs: vars.OUTBOX_RETENTION_DAYS * 24 * 3600_000, leaseMs: vars.RELAY_LEASE_SECONDS * 1000 },
    shutdownGraceMs: vars.SHUTDOWN_GRACE_MS,
    corsOrigins: vars.CORS_ORIGINS ?? (production ? [] : '*'),
    persistedOperations: { file: vars.PERSISTED_OPERATIONS_FILE, only: vars.PERSISTED_OPERATIONS_ONLY },
    ...(vars.OTEL_EXPORTER_OTLP_ENDPOINT ? { tracing: { endpoint: vars.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: vars.OTEL_SERVICE_NAME } } : {}),
    presenceLeaseMs: vars.PRESENCE_LEASE_SECONDS * 1000,
    uploads: {
      maxBytes: vars.UPLOAD_MAX_BYTES,
      allowedTypes: vars.UPLOAD_ALLOWED_TYPES ?? defaultUploadLimits.allowedTypes,
      directory: vars.UPLOAD_DIR ? resolve(vars.UPLOAD_DIR) : join(dataDir, 'attachments'),
    },
    plugins: vars.PLUGINS.split(',').map((spec) => spec.trim()).filter(Boolean),
    env,
  };
}

import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { UnauthenticatedError } from '../errors.js';

export interface LoginThrottleConfig {
  /** Failed attempts allowed per e-mail within the window. */
  failuresPerEmail: number;
  /** Failed attempts allowed per client IP within the window (a whole office may share one). */
  failuresPerIp: number;
  windowSeconds: number;
}

export const defaultLoginThrottle: LoginThrottleConfig = { failuresPerEmail: 5, failuresPerIp: 50, windowSeconds: 15 * 60 };

/** Where the counts live when several instances share them: a Redis client (ioredis), given by the server. */
export interface SharedThrottleStore {
  storeClient: unknown;
}

/**
 * One budget: in process memory, or in Redis shared by every instance. While Redis is away the counts go on
 * in this instance's memory (rate-limiter-flexible's insurance limiter): logins keep working, throttled per
 * instance, rather than failing or going unthrottled.
 */
function limiterOf(keyPrefix: string, points: number, duration: number, shared: SharedThrottleStore | undefined): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  if (!shared) return memory;
  return new RateLimiterRedis({ storeClient: shared.storeClient, keyPrefix: `deskgraph:${keyPrefix}`, points, duration, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

/**
 * Counts wrong passwords only: successes never consume, so a shared office IP is not locked out.
 * A user's wrong passwords count together, through login or changeMyPassword (keyed by e-mail).
 */
export function createLoginThrottle(config: LoginThrottleConfig, shared?: SharedThrottleStore) {
  const byEmail = limiterOf('login-email', config.failuresPerEmail, config.windowSeconds, shared);
  const byIp = limiterOf('login-ip', config.failuresPerIp, config.windowSeconds, shared);

  /** Seconds until this e-mail and IP may try a password again; 0 when they may now. */
  async function retryAfterSeconds(email: string, ip: string): Promise<number> {
    const [emailState, ipState] = await Promise.all([byEmail.get(email), byIp.get(ip)]);
    const blocked = [
      emailState && emailState.consumedPoints >= config.failuresPerEmail ? emailState.msBeforeNext : 0,
      ipState && ipState.consumedPoints >= config.failuresPerIp ? ipState.msBeforeNext : 0,
    ];
    return Math.ceil(Math.max(...blocked) / 1000);
  }

  return {
    retryAfterSeconds,

    async assertAllowed(email: string, ip: string): Promise<void> {
      const wait = await retryAfterSeconds(email, ip);
      if (wait > 0) {
        throw new UnauthenticatedError(`Too many failed sign-in attempts; try again in ${wait} s`, { reason: 'TOO_MANY_ATTEMPTS', retryAfterSeconds: wait });
      }
    },

    async recordFailure(email: string, ip: string): Promise<void> {
      // consume() rejects once the budget is spent; that rejection is the expected outcome here.
      await Promise.all([byEmail.consume(email).catch(() => undefined), byIp.consume(ip).catch(() => undefined)]);
    },

    async recordSuccess(email: string): Promise<void> {
      await byEmail.delete(email);
    },
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;

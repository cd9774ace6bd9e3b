import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** Where the counts live when several instances share them: a Redis client (ioredis), given by the server. */
export interface SharedThrottleStore {
  storeClient: unknown;
  /** The deployment's name in Redis (REDIS_PREFIX): its keys start with it. */
  prefix: string;
}

/**
 * One budget (failed logins, an account's requests): in process memory, or in Redis shared by every
 * instance. While Redis is away the counts go on in this instance's memory (rate-limiter-flexible's
 * insurance limiter): requests keep working, limited per instance, rather than failing or going unlimited.
 */
export function limiterOf(keyPrefix: string, points: number, duration: number, shared: SharedThrottleStore | undefined): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  if (!shared) return memory;
  return new RateLimiterRedis({ storeClient: shared.storeClient, keyPrefix: `${shared.prefix}:${keyPrefix}`, points, duration, rejectIfRedisNotReady: true, insuranceLimiter: memory });
}

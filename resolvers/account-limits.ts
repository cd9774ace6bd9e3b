import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from './errors.js';
import { limiterOf, type SharedThrottleStore } from './shared-limits.js';

// One noisy tenant must not starve the others: each account has its own budget of GraphQL operations
// and of messages handed over (ingestion), counted per minute. 0 turns a budget off.

export interface AccountLimitConfig {
  /** GraphQL operations (queries, mutations, subscriptions started) per account per minute. */
  requestsPerMinute: number;
  /** Messages handed over through ingestion (the API, the Chatwoot bridge, plugins) per account per minute. */
  ingestsPerMinute: number;
}

export const defaultAccountLimits: AccountLimitConfig = { requestsPerMinute: 12_000, ingestsPerMinute: 6_000 };

/** Counted in this instance's memory, or with `shared` (REDIS_URL) once for every instance. */
export function createAccountLimits(config: AccountLimitConfig, shared?: SharedThrottleStore) {
  const requests = config.requestsPerMinute > 0 ? limiterOf('account-requests', config.requestsPerMinute, 60, shared) : null;
  const ingests = config.ingestsPerMinute > 0 ? limiterOf('account-ingests', config.ingestsPerMinute, 60, shared) : null;

  async function spend(limiter: RateLimiterAbstract | null, limit: RateLimitedError['limit'], accountId: number): Promise<void> {
    if (!limiter) return;
    try {
      await limiter.consume(String(accountId));
    } catch (rejection) {
      // consume() rejects with the limiter's state once the budget is spent; anything else is a real failure.
      if (rejection instanceof RateLimiterRes) throw new RateLimitedError(limit, Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      throw rejection;
    }
  }

  return {
    admitRequest: (accountId: number) => spend(requests, 'ACCOUNT_REQUESTS', accountId),
    admitIngest: (accountId: number) => spend(ingests, 'ACCOUNT_INGESTS', accountId),
  };
}

export type AccountLimits = ReturnType<typeof createAccountLimits>;

import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from './errors.js';

// One noisy tenant must not starve the others: each account has its own budget of GraphQL operations
// and of messages handed over (ingestion), counted per minute. 0 turns a budget off.

export interface AccountLimitConfig {
  /** GraphQL operations (queries, mutations, subscriptions started) per account per minute. */
  requestsPerMinute: number;
  /** Messages handed over through ingestion (the API, the Chatwoot bridge, plugins) per account per minute. */
  ingestsPerMinute: number;
}

export const defaultAccountLimits: AccountLimitConfig = { requestsPerMinute: 12_000, ingestsPerMinute: 6_000 };

type LimiterOptions = { keyPrefix: string; points: number; duration: number };

/** `limiterOf` builds each budget's counter: in memory by default, or one shared by every instance. */
export function createAccountLimits(config: AccountLimitConfig, limiterOf: (options: LimiterOptions) => RateLimiterAbstract = (options) => new RateLimiterMemory(options)) {
  const requests = config.requestsPerMinute > 0 ? limiterOf({ keyPrefix: 'account-requests', points: config.requestsPerMinute, duration: 60 }) : null;
  const ingests = config.ingestsPerMinute > 0 ? limiterOf({ keyPrefix: 'account-ingests', points: config.ingestsPerMinute, duration: 60 }) : null;

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

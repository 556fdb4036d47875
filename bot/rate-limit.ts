import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * A budget of events per key (a conversation, an IP) and time window. This process keeps it in
 * memory; several instances would share one through rate-limiter-flexible's RateLimiterRedis,
 * wrapped by `rateLimitOf` like the memory one.
 */
export interface RateLimit {
  /** Spends one point of the key's budget: false when it was spent already. */
  take(key: string): Promise<boolean>;
}

export function rateLimitOf(limiter: RateLimiterAbstract): RateLimit {
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return true;
      } catch (err) {
        // A spent budget rejects with the limiter's answer; a store failure (Redis down) is an error.
        if (err instanceof RateLimiterRes) return false;
        throw err;
      }
    },
  };
}

/** `points` events per key every `seconds`, counted in this process. */
export const memoryRateLimit = (points: number, seconds: number): RateLimit =>
  rateLimitOf(new RateLimiterMemory({ points, duration: seconds }));

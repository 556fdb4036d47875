import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/**
 * A budget of events per key (a conversation, an IP) and time window: kept in this process's memory,
 * or in Redis when several instances run, so that reconnecting to another instance resets nothing.
 */
export interface RateLimit {
  /** Spends one point of the key's budget: false when it was spent already. */
  take(key: string): Promise<boolean>;
}

/** Makes the limit of one named budget: `points` events per key every `seconds`. */
export type RateLimits = (budget: string, points: number, seconds: number) => RateLimit;

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

/** Counted in this process (one instance; budgets reset when it restarts). */
export const memoryRateLimit: RateLimits = (_budget, points, seconds) =>
  rateLimitOf(new RateLimiterMemory({ points, duration: seconds }));

/**
 * Counted in Redis under `<keyPrefix>rl:<budget>:<key>`, shared by every instance.
 *
 * While Redis is unreachable each instance counts in its own memory instead (the insurance limiter,
 * same budget): abuse stays bounded, by the number of instances at worst, and chat keeps working.
 * The switch is logged once per outage; when Redis is back the shared counts apply again.
 */
export function redisRateLimits(redis: Redis, keyPrefix: string, logger: Logger): RateLimits {
  let degraded = false;
  redis.on('reconnecting', () => {
    if (degraded) return;
    degraded = true;
    logger.warn('Redis unreachable: rate limits are counted per instance until it returns');
  });
  redis.on('ready', () => {
    if (!degraded) return;
    degraded = false;
    logger.info('Redis is back: rate limits are shared again');
  });
  return (budget, points, seconds) => rateLimitOf(redisLimiter(redis, keyPrefix, budget, points, seconds));
}

/** One budget's limiter in Redis (`<keyPrefix>rl:<budget>:<key>`), insured by this process's memory while Redis is down. */
export function redisLimiter(redis: Redis, keyPrefix: string, budget: string, points: number, seconds: number): RateLimiterRedis {
  return new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${keyPrefix}rl:${budget}`,
    points,
    duration: seconds,
    // Not ready (reconnecting) → the insurance at once, rather than holding a message up to the command timeout.
    rejectIfRedisNotReady: true,
    insuranceLimiter: new RateLimiterMemory({ points, duration: seconds }),
  });
}

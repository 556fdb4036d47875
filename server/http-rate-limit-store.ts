import type { Redis } from 'ioredis';
import type { Options, Store } from 'express-rate-limit';
import type { RateLimiterRedis } from 'rate-limiter-flexible';
import { redisLimiter } from '../bot/rate-limit.ts';

/** Makes the store of one named HTTP limit (each express-rate-limit instance needs a store of its own). */
export type HttpRateLimitStores = (name: string) => Store;

/**
 * express-rate-limit's hit counts in Redis, shared by every instance, through the same rate-limiter-flexible
 * limiter as the chat's budgets (no Redis store package): express-rate-limit decides, this only counts.
 * While Redis is down each instance counts in its own memory (see redisRateLimits).
 */
export function redisHttpRateLimitStores(redis: Redis, keyPrefix: string): HttpRateLimitStores {
  return (name) => {
    let limiter: RateLimiterRedis | null = null;
    const counter = () => {
      if (!limiter) throw new Error(`the ${name} rate limit store was used before express-rate-limit initialised it`);
      return limiter;
    };
    return {
      init(options: Options) {
        // Counting only: never "spent" here (express-rate-limit compares the hits with its own limit).
        limiter = redisLimiter(redis, keyPrefix, `http-${name}`, Number.MAX_SAFE_INTEGER, Math.ceil(options.windowMs / 1000));
      },
      async increment(key) {
        const res = await counter().consume(key);
        return { totalHits: res.consumedPoints, resetTime: new Date(Date.now() + res.msBeforeNext) };
      },
      async decrement(key) {
        await counter().reward(key, 1);
      },
      async resetKey(key) {
        await counter().delete(key);
      },
    };
  };
}

/** express-rate-limit's `store` option: the shared one when there are stores, else its default (this process's memory). */
export const storeOption = (stores: HttpRateLimitStores | undefined, name: string): { store?: Store } =>
  (stores ? { store: stores(name) } : {});

import { Redis } from 'ioredis';

/**
 * One Redis connection for what instances share (socket fan-out, presence, rate limits).
 * Commands wait while Redis restarts (reconnecting with backoff) instead of failing at once,
 * but never longer than `commandTimeoutMs`, so a turn is not held up by a Redis outage for long.
 */
export function openRedis(url: string, options: { name?: string; commandTimeoutMs?: number } = {}): Redis {
  return new Redis(url, {
    connectionName: options.name ?? 'rendezvous',
    commandTimeout: options.commandTimeoutMs ?? 2_000,
    maxRetriesPerRequest: 3,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
}

/** Whether Redis answers a PING within the command timeout (for /readyz). */
export async function redisReachable(redis: Redis): Promise<boolean> {
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}

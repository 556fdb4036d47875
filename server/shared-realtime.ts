import { randomUUID } from 'node:crypto';
import type { Server } from 'socket.io';
import type { Logger } from 'pino';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { openRedis } from '../models/redis.ts';
import { RedisPresence, type Presence } from '../bot/handoff/index.ts';
import type { Config } from './config.ts';

/** How long the adapter's readers wait for new stream entries per XREAD. */
const STREAM_BLOCK_MS = 5_000;

/** What instances share for live hand-off when REDIS_URL is set; nothing (memory) without it. */
export interface SharedRealtime {
  /** Shared advisor presence; undefined: the router keeps it in this process. */
  presence: Presence | undefined;
  /** Room emits reach sockets on every instance (socket.io Redis Streams adapter). */
  attach(io: Server): void;
  /** After the sockets closed: stops the presence heartbeat, then the Redis connection. */
  close(): Promise<void>;
}

export function sharedRealtime(config: Config, logger: Logger): SharedRealtime {
  if (!config.REDIS_URL) return { presence: undefined, attach: () => undefined, close: async () => undefined };
  const instanceId = randomUUID();
  const prefix = config.REDIS_KEY_PREFIX;
  const redis = openRedis(config.REDIS_URL, { name: `rendezvous-${instanceId}` });
  // The adapter's own connection (it duplicates it for its readers): a blocking XREAD must not outlast the command
  // timeout, or its reply is dropped and the entries it read are lost to this instance.
  const adapterRedis = openRedis(config.REDIS_URL, { name: `rendezvous-${instanceId}-fan-out`, commandTimeoutMs: STREAM_BLOCK_MS * 3 });
  for (const client of [redis, adapterRedis]) client.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const presence = new RedisPresence({ redis, logger, keyPrefix: prefix, instanceId, expiryMs: config.PRESENCE_EXPIRY_SECONDS * 1000 });
  return {
    presence,
    attach(io) {
      // Streams (not plain pub/sub) survive a Redis restart and keep socket.io's connection-state recovery;
      // the transcript's seq replay stays the source of truth for anything missed.
      io.adapter(createAdapter(adapterRedis, {
        streamName: `${prefix}socket.io`, channelPrefix: `${prefix}socket.io`, sessionKeyPrefix: `${prefix}socket.io:session:`,
        blockTimeInMs: STREAM_BLOCK_MS,
      }));
    },
    async close() {
      await presence.close();
      for (const client of [redis, adapterRedis]) await client.quit().catch(() => client.disconnect());
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Database } from '../../models/database.ts';
import { seedDemo } from '../../models/seed.ts';
import { databaseUrlOf, openTestDatabase } from './databases.ts';
import { freePort, startServerProcess, type ServerProcess, type ServerProcessOptions } from './server-process.ts';

/** The machine's Redis, shared with other test runs: every cluster keeps to its own key prefix. */
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Several server processes as behind a load balancer: one PostgreSQL schema (demo brand seeded, pg-boss
 * in a schema of its own), one Redis under a prefix of this cluster's own, one APP_SECRET.
 */
export interface Cluster {
  db: Database;
  /** The environment every instance gets (add to it per instance in `start`). */
  env: Record<string, string>;
  redisKeyPrefix: string;
  instances: ServerProcess[];
  /** Starts one more instance (e.g. after a crash, or pointed at another Redis). */
  start(env?: Record<string, string>, options?: ServerProcessOptions): Promise<ServerProcess>;
  /** Stops every instance, removes this cluster's Redis keys, pg-boss schema and test schema. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Started at once (0: the test starts each with `start`, e.g. one from the production build). */
  instances: number;
  /** Sites the demo brand's chat accepts (the test clients' Origin). */
  allowedOrigins: string[];
  /** Added to every instance's environment (budgets, timeouts…). */
  env?: Record<string, string>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const db = await openTestDatabase('postgres');
  await seedDemo(db, { allowedOrigins: options.allowedOrigins });
  const { url, schema } = await databaseUrlOf(db);
  const redisKeyPrefix = `rdv-test-${randomBytes(8).toString('hex')}:`;
  const env = {
    DATABASE_URL: url,
    PGBOSS_SCHEMA: `${schema}_jobs`,
    SEED_DEMO: 'false',
    APP_SECRET: randomBytes(32).toString('hex'),
    REDIS_URL: TEST_REDIS_URL,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    ...options.env,
  };
  const instances: ServerProcess[] = [];
  const start = async (extra: Record<string, string> = {}, processOptions: ServerProcessOptions = {}) => {
    const instance = await startServerProcess({ ...env, ...extra }, processOptions);
    instances.push(instance);
    return instance;
  };
  // One first, so that concurrent installs of pg-boss's schema do not race; the rest together.
  if (options.instances > 0) await start();
  await Promise.all(Array.from({ length: Math.max(0, options.instances - 1) }, () => start()));

  return {
    db,
    env,
    redisKeyPrefix,
    instances,
    start,
    async stop() {
      await Promise.all(instances.map((i) => i.stop()));
      await deleteRedisKeys(TEST_REDIS_URL, redisKeyPrefix);
      await db.query(`DROP SCHEMA IF EXISTS "${env.PGBOSS_SCHEMA}" CASCADE`);
      await db.close();
    },
  };
}

/** Every key and stream under the prefix, gone (other runs' keys are left alone). */
export async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true });
  await redis.connect();
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 }) as AsyncIterable<string[]>) {
      if (keys.length) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}

/** A Redis of the test's own on a free port, that it may stop and start again (never the machine's). */
export interface PrivateRedis {
  url: string;
  /** Stops it (SIGKILL: as a crash) and waits for the exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (empty: it saves nothing). */
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    let output = '';
    await new Promise<void>((resolve, reject) => {
      started.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) resolve();
      });
      started.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    async stop() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    },
  };
}

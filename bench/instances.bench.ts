/**
 * Several instances: the chat benchmark's paced booking walk (the same customers, plans and pacing) against
 * server processes on one PostgreSQL, each instance a process of its own (bench/instance-process.ts), in one run:
 *   1. one instance, no Redis (information: a single process as `npm start` runs it);
 *   2. one instance with REDIS_URL;
 *   3. two instances with REDIS_URL, the conversations spread over both (alternately, as a load balancer
 *      with sticky sessions would), at the same offered load.
 * Figures: turn latency p50/p99 and throughput of each; target p50(two) ≤ 1.3 × p50(one, Redis). The cost of
 * what instances share in Redis per delivered message: the Redis commands per transcript entry (read from
 * INFO of a Redis of the benchmark's own, so nothing else is counted; the commands a Lua script runs count
 * too), and phase 2's latency over phase 1's.
 * Each phase gets a fresh database (bookings use up free times). On a 2-CPU machine two instances are not
 * meant to be faster: the point is no loss and a bounded overhead.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { seedDemo } from '../models/seed.ts';
import { latestCode } from '../tests/support/bot-chat.ts';
import { startPrivateRedis, type PrivateRedis } from '../tests/support/cluster.ts';
import { freePort } from '../tests/support/server-process.ts';
import { NOW, PACING, pacingText, PAGES, plans, startClients, WALK_BUDGET_MS, WARMUP_FIRST_PAGE } from './chat.bench.ts';
import type { WalkOutcome } from './chat-clients.ts';
import { fmtMs, fmtTiming, judge, summarize, type BenchContext, type Benchmark, type ResultRow, type Timing } from './harness.ts';

const CONVERSATIONS = 60;
const WARMUP_CONVERSATIONS = 4;
const P50_TARGET = 1.3;
const ORIGIN = 'https://bench.example';

interface Phase {
  label: string;
  instances: number;
  redis: boolean;
}
const PHASES: Phase[] = [
  { label: 'one instance, no Redis', instances: 1, redis: false },
  { label: 'one instance, Redis', instances: 1, redis: true },
  { label: 'two instances, Redis', instances: 2, redis: true },
];

interface PhaseResult {
  phase: Phase;
  turns: Timing;
  perSecond: number;
  walk: WalkOutcome;
  /** Transcript entries written (each one delivered to its customer's socket). */
  entries: number;
  redisCommands: number | null;
}

/** An instance process; resolves once it listens. */
async function startInstance(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child: ChildProcess = fork(fileURLToPath(new URL('./instance-process.ts', import.meta.url)), [], {
    execArgv: process.execArgv,
    env: { ...process.env, ...env, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, NODE_ENV: 'test' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await Promise.race([
    new Promise<void>((resolve) => child.once('message', () => resolve())),
    exited.then(() => { throw new Error('an instance exited while starting'); }),
  ]);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const commandsProcessed = async (redis: Redis) => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))![1]);

async function runPhase(ctx: BenchContext, phase: Phase, redis: PrivateRedis): Promise<PhaseResult> {
  const db = await ctx.openDatabase();
  const instances: { url: string; stop(): Promise<void> }[] = [];
  const clients = await startClients((email) => latestCode(db, email));
  const probe = new Redis(redis.url);
  try {
    await seedDemo(db, { allowedOrigins: [ORIGIN] });
    const env: Record<string, string> = {
      BENCH_POSTGRES_URL: ctx.postgresUrl!, BENCH_SCHEMA: db.schema!, BENCH_SECRET: randomBytes(32).toString('hex'),
      DATABASE_URL: ctx.postgresUrl!, PGBOSS_SCHEMA: `${db.schema}_boss`, API_RATE_LIMIT_PER_MINUTE: '100000',
      // Every simulated customer comes from this machine's address.
      CHAT_MESSAGES_PER_IP_PER_10S: '1000000', CHAT_CONVERSATIONS_PER_IP_PER_HOUR: '1000000',
      ...(phase.redis ? { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `bench-${db.schema}:` } : {}),
    };
    // The first alone (it installs pg-boss's schema), then the others.
    instances.push(await startInstance(env));
    for (let i = 1; i < phase.instances; i++) instances.push(await startInstance(env));
    const spread = instances.map((i) => i.url);

    const warm = (await clients.request({
      type: 'walk', url: spread[0]!, spread, origin: ORIGIN, plans: plans(WARMUP_CONVERSATIONS, WARMUP_FIRST_PAGE, 1),
      emailPrefix: 'warm', finish: true, budgetMs: 60_000,
    }, 'walk-done')).outcome;
    if (warm.failed) throw new Error(`warm-up walks failed: ${warm.errors.join('; ')}`);

    const countEntries = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM conversation_messages'))[0]!.n);
    const entriesBefore = await countEntries();
    const commandsBefore = await commandsProcessed(probe);
    const walk = (await clients.request({
      type: 'walk', url: spread[0]!, spread, origin: ORIGIN, plans: plans(CONVERSATIONS, 0, PAGES), emailPrefix: 'bench',
      finish: true, budgetMs: WALK_BUDGET_MS, pacing: PACING,
    }, 'walk-done')).outcome;
    // Minus the INFO call itself.
    const redisCommands = phase.redis ? (await commandsProcessed(probe)) - commandsBefore - 1 : null;
    const entries = (await countEntries()) - entriesBefore;
    const turns = summarize(walk.turns.map((s) => s.ms));
    const perSecond = (walk.turns.length / walk.wallMs) * 1000;
    ctx.log(`${phase.label.padEnd(24)} bot turn ${fmtTiming(turns)}; ${walk.turns.length} turns in ${fmtMs(walk.wallMs)} ` +
      `(${perSecond.toFixed(0)}/s); ${walk.booked} booked, ${walk.failed} failed, ${walk.cut} cut; ${entries} transcript entries` +
      `${redisCommands === null ? '' : `; Redis ${redisCommands} commands (${(redisCommands / Math.max(1, entries)).toFixed(2)} per entry)`}`);
    if (walk.errors.length) ctx.log(`  errors: ${walk.errors.join(' | ')}`);
    return { phase, turns, perSecond, walk, entries, redisCommands };
  } finally {
    probe.disconnect();
    await clients.close();
    await Promise.all(instances.map((i) => i.stop()));
    await db.close();
  }
}

async function run(ctx: BenchContext): Promise<ResultRow[]> {
  if (!ctx.postgresUrl) {
    return [{ name: 'instances', database: 'pglite', figure: '', floor: '', ratio: null, target: '', verdict: 'SKIP', note: `needs PostgreSQL: ${ctx.postgresError}` }];
  }
  let redis: PrivateRedis;
  try {
    redis = await startPrivateRedis();
  } catch (error) {
    return [{ name: 'instances', database: 'postgres', figure: '', floor: '', ratio: null, target: '', verdict: 'SKIP', note: `needs redis-server: ${String(error)}` }];
  }
  try {
    ctx.log(`${CONVERSATIONS} paced conversations per phase (the chat benchmark's walk, clock ${NOW.toISOString()}; ${pacingText()}); a Redis of its own at ${redis.url}`);
    const results: PhaseResult[] = [];
    for (const phase of PHASES) results.push(await runPhase(ctx, phase, redis));
    const [alone, one, two] = results as [PhaseResult, PhaseResult, PhaseResult];
    const ratio = two.turns.median / one.turns.median;
    const verdict = judge(ratio, '<=', P50_TARGET);
    const sharedCost = one.turns.median - alone.turns.median;
    ctx.log(`p50 two instances / one: ${ratio.toFixed(2)}× — target ≤ ${P50_TARGET}×: ${verdict.verdict}; ` +
      `p99 ${(two.turns.p99 / one.turns.p99).toFixed(2)}×; throughput ${two.perSecond.toFixed(0)}/s vs ${one.perSecond.toFixed(0)}/s`);
    ctx.log(`shared layer: p50 with Redis ${fmtMs(one.turns.median)} vs without ${fmtMs(alone.turns.median)} (${sharedCost >= 0 ? '+' : ''}${fmtMs(sharedCost)}); ` +
      `Redis commands per delivered entry: one instance ${perEntry(one)}, two instances ${perEntry(two)}`);
    const note = (r: PhaseResult) => `${r.walk.turns.length} turns, ${r.perSecond.toFixed(0)}/s, ${r.walk.booked}/${CONVERSATIONS} booked, ` +
      `${r.walk.failed} failed, ${r.walk.cut} cut; p99 ${fmtMs(r.turns.p99)}${r.redisCommands === null ? '' : `; ${perEntry(r)} Redis commands per delivered entry`}`;
    return [
      { name: `chat turn median, two instances vs one (Redis, ${CONVERSATIONS} paced conversations)`, database: 'postgres',
        figure: fmtMs(two.turns.median), floor: fmtMs(one.turns.median), ratio, ...verdict, note: note(two) },
      { name: 'chat turn median, one instance with Redis vs without (information)', database: 'postgres',
        figure: fmtMs(one.turns.median), floor: fmtMs(alone.turns.median), ratio: one.turns.median / alone.turns.median, target: '', verdict: 'INFO', note: note(one) },
    ];
  } finally {
    await redis.stop();
  }
}

const perEntry = (r: PhaseResult) => (r.redisCommands === null ? '–' : (r.redisCommands / Math.max(1, r.entries)).toFixed(2));

export const instancesBenchmark: Benchmark = { name: 'instances', run };

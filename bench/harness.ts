/**
 * Benchmark harness: timing helpers, the result-row type, and the databases benchmarks run on.
 *
 * A benchmark measures a figure and a floor in the same run and reports their ratio against a
 * target. Targets are printed (PASS/MISS), never asserted: a MISS is a measurement, not a failure.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database, type Queryable, type Tx } from '../models/database.ts';
import { migrate } from '../models/migrate.ts';
import { pastTheGate } from '../models/statement-gate.ts';

// ---- timing --------------------------------------------------------------------------------------

export interface MeasureOptions {
  /** Untimed runs first (JIT, caches, connection pool, planner). */
  warmup: number;
  iterations: number;
  /** Stops timing early once this much wall time is spent (at least `minIterations` runs). */
  budgetMs?: number;
  minIterations?: number;
}

export interface Timing {
  median: number;
  p99: number;
  mean: number;
  min: number;
  max: number;
  /** Timed runs actually made. */
  iterations: number;
}

/** The p-th percentile (0–100) of ascending samples, nearest-rank. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarize(samplesMs: readonly number[]): Timing {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((s, x) => s + x, 0);
  return {
    median: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sum / sorted.length,
    min: sorted[0] ?? NaN,
    max: sorted[sorted.length - 1] ?? NaN,
    iterations: sorted.length,
  };
}

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Times `fn` one call at a time (awaited), after `warmup` untimed calls; milliseconds. */
export async function measure(fn: () => unknown, options: MeasureOptions): Promise<Timing> {
  for (let i = 0; i < options.warmup; i++) await fn();
  const samples: number[] = [];
  const began = process.hrtime.bigint();
  const min = options.minIterations ?? Math.min(options.iterations, 20);
  for (let i = 0; i < options.iterations; i++) {
    const t = process.hrtime.bigint();
    await fn();
    samples.push(elapsedMs(t));
    if (options.budgetMs !== undefined && samples.length >= min && elapsedMs(began) > options.budgetMs) break;
  }
  return summarize(samples);
}

export interface ThroughputResult {
  /** Completed operations per second, over the wall time of the whole run. */
  perSecond: number;
  ok: number;
  failed: number;
  wallMs: number;
  /** Latency of each operation, ms. */
  latency: Timing;
  /** First few failures, for the report. */
  errors: string[];
}

/**
 * Runs `count` operations with `concurrency` workers pulling the next index from a shared queue.
 * `op(i)` may throw: that counts as a failure and the run continues.
 */
export async function throughput(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<ThroughputResult> {
  let next = 0;
  let failed = 0;
  const errors: string[] = [];
  const latencies: number[] = [];
  const began = process.hrtime.bigint();
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const t = process.hrtime.bigint();
      try {
        await op(i);
        latencies.push(elapsedMs(t));
      } catch (error) {
        failed++;
        if (errors.length < 5) errors.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wallMs = elapsedMs(began);
  return { perSecond: (latencies.length / wallMs) * 1000, ok: latencies.length, failed, wallMs, latency: summarize(latencies), errors };
}

// ---- profiling ---------------------------------------------------------------------------------

export interface StatementStats { calls: number; ms: number }

/** Where `instrumented` counts each transaction's pool wait and BEGIN, and its COMMIT and release. */
export const TRANSACTION_START = '(pool wait + BEGIN)';
export const TRANSACTION_END = '(COMMIT + release)';
/** Prefix of the statements of transactions a turn left for after its reply (see `instrumented`'s afterReply). */
export const AFTER_REPLY = '(after the reply) ';

/** When a statement (or a transaction's BEGIN) was sent: epoch milliseconds, comparable across processes on one machine. */
export interface StatementEvent { at: number; key: string }

/** Epoch milliseconds with sub-millisecond resolution (every process on the machine reads the same clock). */
export const wallClock = () => performance.timeOrigin + performance.now();

/**
 * The same database, timing each statement into `stats` under `name(sql)` (waiting for a pooled
 * connection included, outside transactions), plus each transaction's start and end. With
 * `observe`, each statement and each transaction's start is also told with the time it was sent,
 * so work can be attributed to what a client was doing then. With `afterReply`, statements matching it
 * (or transactions whose first statement does) are counted apart, under AFTER_REPLY.
 */
export function instrumented(
  db: Database, name: (sql: string) => string, stats: Map<string, StatementStats>, observe?: (event: StatementEvent) => void,
  afterReply?: RegExp,
): Database {
  const now = () => process.hrtime.bigint();
  const record = (key: string, ms: number) => {
    const s = stats.get(key) ?? { calls: 0, ms: 0 };
    s.calls++;
    s.ms += ms;
    stats.set(key, s);
  };
  /** A statement matching `afterReply` (on its own, or first in its transaction) is work a turn left for after its reply. */
  const afterReplyPrefix = (sql: string) => (afterReply?.test(sql) ? AFTER_REPLY : '');
  const timedQuery = (q: Queryable, prefix: (sql: string) => string) => async <T>(sql: string, params?: readonly unknown[]): Promise<T[]> => {
    const key = prefix(sql) + name(sql);
    observe?.({ at: wallClock(), key });
    const sent = now();
    try {
      return await q.query<T>(sql, params);
    } finally {
      record(key, Number(now() - sent) / 1e6);
    }
  };
  return {
    kind: db.kind,
    ...(db.readCache ? { readCache: db.readCache } : {}),
    // The statement gate is passed here rather than in the database below, so that a write the gate ran inside its
    // own statement (models/statement-gate.ts) counts once, as that statement, and is not timed twice.
    query: (sql, params) => pastTheGate(sql, params, () => timedQuery(db, afterReplyPrefix)(sql, params)),
    async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      const t0 = now();
      let workDone = t0;
      let began = 0;
      // A transaction whose first statement matches `afterReply` is work the turn left for after its reply.
      let prefix: string | null = null;
      const classify = (sql: string) => {
        if (prefix !== null) return prefix;
        prefix = afterReplyPrefix(sql);
        observe?.({ at: wallClock(), key: prefix + TRANSACTION_START });
        record(prefix + TRANSACTION_START, began);
        return prefix;
      };
      const result = await db.transaction(async (tx) => {
        began = Number(now() - t0) / 1e6;
        try {
          return await work({
            inTransaction: true, exec: (sql) => tx.exec(sql), query: timedQuery(tx, classify), afterCommit: (cb) => tx.afterCommit(cb),
            ...(tx.readCache ? { readCache: tx.readCache } : {}),
          });
        } finally {
          workDone = now();
        }
      });
      record((prefix ?? classify('')) + TRANSACTION_END, Number(now() - workDone) / 1e6);
      return result;
    },
    close: () => db.close(),
  };
}

// ---- results -------------------------------------------------------------------------------------

export type Verdict = 'PASS' | 'MISS' | 'INFO' | 'SKIP' | 'CRASH';

/** One line of the final summary. */
export interface ResultRow {
  name: string;
  /** Which database the figure comes from: 'postgres', 'pglite', or 'none' (pure compute). */
  database: string;
  figure: string;
  floor: string;
  /** figure ÷ floor (as the target reads), or null when there is none. */
  ratio: number | null;
  /** e.g. '≤ 2×'; '' for information-only rows. */
  target: string;
  verdict: Verdict;
  note?: string;
}

/** PASS/MISS of a ratio against `≤ bound` or `≥ bound`. */
export function judge(ratio: number, op: '<=' | '>=', bound: number): { target: string; verdict: Verdict } {
  const ok = op === '<=' ? ratio <= bound : ratio >= bound;
  return { target: `${op === '<=' ? '≤' : '≥'} ${bound}×`, verdict: ok ? 'PASS' : 'MISS' };
}

export const fmtMs = (ms: number) => (ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`);
export const fmtTiming = (t: Timing) => `median ${fmtMs(t.median)}, p99 ${fmtMs(t.p99)}`;
export const fmtRatio = (r: number | null) => (r === null ? '' : `${r.toFixed(2)}×`);

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- databases -----------------------------------------------------------------------------------

export type DatabaseKind = 'postgres' | 'pglite';

/** A migrated database for one benchmark; close() also drops its schema. */
export interface BenchDatabase extends Database {
  /** 'postgres (schema bench_…)' or 'pglite (in memory)'. */
  readonly label: string;
  /**
   * The PostgreSQL schema it works in (null on PGlite). A benchmark may create schemas named
   * `<schema>_<suffix>` next to it (pg-boss's): close() drops them too.
   */
  readonly schema: string | null;
}

export interface BenchContext {
  /** The PostgreSQL URL when the server answered, else null (benchmarks fall back to PGlite). */
  readonly postgresUrl: string | null;
  /** Why PostgreSQL is unavailable, when it is. */
  readonly postgresError: string | null;
  /** A fresh migrated database: PostgreSQL in a schema `bench_<random>` when reachable, else PGlite. */
  openDatabase(options?: { poolSize?: number; kind?: DatabaseKind }): Promise<BenchDatabase>;
  log(line?: string): void;
}

export interface Benchmark {
  name: string;
  /** Prints its own details through ctx.log and returns the rows for the summary. */
  run(ctx: BenchContext): Promise<ResultRow[]>;
}

export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Cleanups of databases still open, run on Ctrl-C so an interrupted run leaves no schema behind. */
const openCleanups = new Set<() => Promise<void>>();

export async function closeAllDatabases(): Promise<void> {
  for (const cleanup of [...openCleanups]) await cleanup().catch(() => undefined);
}

export async function probePostgres(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function createContext(postgresUrl: string | null, postgresError: string | null): BenchContext {
  return {
    postgresUrl,
    postgresError,
    log: (line = '') => console.log(line),
    async openDatabase(options = {}) {
      const kind = options.kind ?? (postgresUrl ? 'postgres' : 'pglite');
      if (kind === 'pglite') {
        const db = await openDatabase({});
        await migrate(db);
        return { ...db, label: 'pglite (in memory)', schema: null };
      }
      if (!postgresUrl) throw new Error(`PostgreSQL unavailable: ${postgresError}`);
      const schema = `bench_${randomBytes(6).toString('hex')}`;
      const db = await openDatabase({ url: postgresUrl, schema, poolSize: options.poolSize ?? 20 });
      let closed = false;
      const cleanup = async () => {
        if (closed) return;
        closed = true;
        openCleanups.delete(cleanup);
        try {
          // Also the benchmark's own schemas next to it, named `<schema>_<suffix>` (pg-boss's).
          const extra = await db.query<{ name: string }>(
            `SELECT nspname AS name FROM pg_namespace WHERE starts_with(nspname, $1)`, [`${schema}_`],
          );
          for (const { name } of extra) await db.query(`DROP SCHEMA "${name}" CASCADE`);
          await db.query(`DROP SCHEMA "${schema}" CASCADE`);
        } finally {
          await db.close();
        }
      };
      openCleanups.add(cleanup);
      try {
        await migrate(db);
      } catch (error) {
        await cleanup().catch(() => undefined);
        throw error;
      }
      return { ...db, label: `postgres (schema ${schema})`, schema, close: cleanup };
    },
  };
}

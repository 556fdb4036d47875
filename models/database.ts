import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';

/** Anything that runs SQL: the database itself or an open transaction. */
export interface Queryable {
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
}

/** An open transaction. The brand makes functions that lock rows uncallable outside one. */
export interface Tx extends Queryable {
  readonly inTransaction: true;
  /** Runs a script of several statements (migrations). */
  exec(sql: string): Promise<void>;
  /** Calls `callback` once this transaction has committed (never if it rolls back), e.g. to wake a worker. */
  afterCommit(callback: () => void): void;
}

/** Runs after-commit callbacks; one that throws must not turn a committed transaction into an error. */
function runCommitted(callbacks: (() => void)[]): void {
  for (const callback of callbacks) {
    try {
      callback();
    } catch {
      // A wake-up that failed is only a lost shortcut: pollers still find the work.
    }
  }
}

/** Time spent waiting for a pooled connection (PostgreSQL only), since the database was opened. */
export interface PoolWaits {
  /** Checkouts that found no idle connection and had to wait. */
  waits: number;
  checkouts: number;
  ms: number;
}

export interface Database extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /** How long statements waited for a pooled connection (benchmarks report it apart from statement time). */
  poolWaits?(): PoolWaits;
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres://… for a real server; absent → embedded PGlite. */
  url?: string | undefined;
  /** PGlite data folder; absent → in memory. */
  dataDir?: string | undefined;
  /** Postgres schema to work in (tests isolate themselves this way). */
  schema?: string | undefined;
  poolSize?: number;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.url ? openPostgres(options.url, options) : openPglite(options);
}

/**
 * A query as a named prepared statement: each pooled connection parses and plans a statement
 * once, not on every call (the booking path's schedule read spends more on planning than on
 * running). Names come from the text, so one text is one statement on every connection.
 */
const prepared = new Map<string, string>();
function asPrepared(text: string, values: readonly unknown[] | undefined): pg.QueryConfig {
  let name = prepared.get(text);
  if (!name) {
    name = `rdv_${createHash('sha1').update(text).digest('base64url')}`;
    // Dynamic texts (none today) must not grow this without bound.
    if (prepared.size < 2000) prepared.set(text, name);
  }
  return { name, text, values: values as unknown[] };
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 20,
    ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
  });
  // An idle client's network error must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  if (options.schema) {
    const client = await pool.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    } finally {
      client.release();
    }
  }
  const waits: PoolWaits = { waits: 0, checkouts: 0, ms: 0 };
  const checkout = async () => {
    const queued = pool.idleCount === 0 && pool.totalCount >= pool.options.max;
    const t = performance.now();
    const client = await pool.connect();
    waits.checkouts++;
    if (queued) {
      waits.waits++;
      waits.ms += performance.now() - t;
    }
    return client;
  };
  return {
    kind: 'postgres',
    poolWaits: () => ({ ...waits }),
    async query(sql, params) {
      const client = await checkout();
      try {
        return (await client.query(asPrepared(sql, params))).rows;
      } finally {
        client.release();
      }
    },
    async transaction(work) {
      const client = await checkout();
      const committed: (() => void)[] = [];
      try {
        await client.query('BEGIN');
        const tx: Tx = {
          inTransaction: true,
          async query(sql, params) {
            return (await client.query(asPrepared(sql, params))).rows;
          },
          async exec(sql) {
            await client.query(sql);
          },
          afterCommit: (callback) => void committed.push(callback),
        };
        const result = await work(tx);
        await client.query('COMMIT');
        runCommitted(committed);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    async close() {
      await pool.end();
    },
  };
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir, extensions: { btree_gist } });
  if (options.schema) {
    await db.exec(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"; SET search_path = "${options.schema}", public`);
  }
  return {
    kind: 'pglite',
    async query(sql, params) {
      return (await db.query(sql, params as unknown[])).rows as never;
    },
    // PGlite runs one transaction at a time, so concurrent callers queue here.
    async transaction(work) {
      const committed: (() => void)[] = [];
      const result = await db.transaction(async (inner) =>
        work({
          inTransaction: true,
          async query(sql, params) {
            return (await inner.query(sql, params as unknown[])).rows as never;
          },
          async exec(sql) {
            await inner.exec(sql);
          },
          afterCommit: (callback) => void committed.push(callback),
        }),
      );
      runCommitted(committed);
      return result;
    },
    async close() {
      await db.close();
    },
  };
}

import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { errors, isBadValueError, isConnectionError } from './errors.ts';
import { READ_CACHE_CHANNEL, ReadCache, transactionReads, type CacheReader } from './read-cache.ts';
import { beforeStatement, pastTheGate } from './statement-gate.ts';

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
  /** The database's read cache, except for the tables this transaction has written (models/read-cache.ts). */
  readonly readCache?: CacheReader;
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
  /** Read-mostly rows kept in memory (models/read-cache.ts); transactions read the tables they wrote from the database. */
  readonly readCache?: ReadCache;
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
  /** How long getting a connection may take before answering "unavailable" (PostgreSQL; default 30 s). */
  connectTimeoutMs?: number;
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

/**
 * Driver errors that are not the statement's fault become domain errors here, once, for every
 * caller: connection failures → 503 (retry shortly), values the database cannot take → 400.
 * Everything else (constraints the use cases translate themselves) passes through as it is.
 */
function translated(error: unknown): unknown {
  if (isConnectionError(error)) return errors.databaseUnavailable();
  if (isBadValueError(error)) {
    return errors.invalid('input', 'A value cannot be stored: text must not contain NUL characters and dates must be real dates between 1970 and 2100.');
  }
  return error;
}

/** How long the change feed waits before connecting again after losing its connection. */
const FEED_RETRY_MS = 1_000;

/**
 * The read cache's change feed on PostgreSQL: one connection of its own listening to migration
 * 021's notices. The cache serves from memory only while it listens; it reconnects when lost.
 */
function listenForChanges(url: string, options: DatabaseOptions, cache: ReadCache): { close(): Promise<void> } {
  let closed = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const connect = async () => {
    const c = new pg.Client({
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 30_000,
      ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
    });
    client = c;
    const lost = () => {
      if (client !== c) return;
      client = null;
      cache.setFeed(false);
      c.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect(), FEED_RETRY_MS);
    };
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', (n) => cache.changed(n.payload ?? ''));
    try {
      await c.connect();
      await c.query(`LISTEN ${READ_CACHE_CHANNEL}`);
      if (client === c && !closed) cache.setFeed(true);
    } catch {
      lost();
    }
  };
  void connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const c = client;
      client = null;
      cache.setFeed(false);
      // A connection stuck on an unreachable server must not hold up closing the database.
      const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, FEED_RETRY_MS).unref());
      await Promise.race([c?.end().catch(() => undefined), gaveUp]);
    },
  };
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 20,
    // Without a bound, a request waits forever while the server is unreachable. It bounds the wait
    // for a free pooled connection too, so it is generous: 30 s without one is an outage to the caller.
    connectionTimeoutMillis: options.connectTimeoutMs ?? 30_000,
    ...(options.schema ? { options: `-c search_path=${options.schema},public` } : {}),
  });
  // An idle client's network error must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Nor may one of a checked-out client (the database went away between or during its statements):
  // those statements fail (503), and the pool drops the client when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (options.schema) {
    const client = await pool.connect();
    try {
      await client.query(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
    } finally {
      client.release();
    }
  }
  const readCache = new ReadCache();
  const feed = listenForChanges(url, options, readCache);
  const waits: PoolWaits = { waits: 0, checkouts: 0, ms: 0 };
  const checkout = async () => {
    const queued = pool.idleCount === 0 && pool.totalCount >= pool.options.max;
    const t = performance.now();
    const client = await pool.connect().catch((error: unknown) => {
      throw translated(error);
    });
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
    readCache,
    // A guarded write may run inside its guard's own statement (models/statement-gate.ts).
    query: (sql, params) => pastTheGate(sql, params, async () => {
      const client = await checkout();
      let broken = false;
      readCache.wrote(sql);
      try {
        return (await client.query(asPrepared(sql, params))).rows;
      } catch (error) {
        broken = isConnectionError(error);
        throw translated(error);
      } finally {
        readCache.wrote(sql);
        client.release(broken);
      }
    }),
    async transaction(work) {
      const gate = beforeStatement(null, undefined);
      if (gate) await gate;
      const client = await checkout();
      const committed: (() => void)[] = [];
      let broken = false;
      const writes: string[] = [];
      try {
        await client.query('BEGIN');
        const tx: Tx = {
          inTransaction: true,
          async query(sql, params) {
            readCache.wrote(sql);
            writes.push(sql);
            try {
              return (await client.query(asPrepared(sql, params))).rows;
            } catch (error) {
              throw translated(error);
            }
          },
          async exec(sql) {
            writes.push(sql);
            await client.query(sql);
          },
          afterCommit: (callback) => void committed.push(callback),
          readCache: transactionReads(readCache, writes),
        };
        const result = await work(tx);
        await client.query('COMMIT');
        runCommitted(committed);
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {
          broken = true;
        });
        throw translated(error);
      } finally {
        // Rows read while the transaction was open may be older than what it committed.
        for (const sql of writes) readCache.wrote(sql);
        // A connection that cannot even roll back is discarded, not handed to the next caller.
        client.release(broken);
      }
    },
    async close() {
      await feed.close();
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
  // The change feed is in-process here: the notices of migration 021's triggers, or the statements' own text.
  const readCache = new ReadCache();
  await db.listen(READ_CACHE_CHANNEL, (table) => readCache.changed(table));
  readCache.setFeed(true);
  return {
    kind: 'pglite',
    readCache,
    // A guarded write may run inside its guard's own statement (models/statement-gate.ts).
    query: (sql, params) => pastTheGate(sql, params, async () => {
      readCache.wrote(sql);
      try {
        return (await db.query(sql, params as unknown[])).rows as never;
      } catch (error) {
        throw translated(error);
      } finally {
        readCache.wrote(sql);
      }
    }),
    // PGlite runs one transaction at a time, so concurrent callers queue here.
    async transaction(work) {
      const gate = beforeStatement(null, undefined);
      if (gate) await gate;
      const committed: (() => void)[] = [];
      const writes: string[] = [];
      const result = await db.transaction(async (inner) =>
        work({
          inTransaction: true,
          async query(sql, params) {
            readCache.wrote(sql);
            writes.push(sql);
            try {
              return (await inner.query(sql, params as unknown[])).rows as never;
            } catch (error) {
              throw translated(error);
            }
          },
          async exec(sql) {
            writes.push(sql);
            await inner.exec(sql);
          },
          afterCommit: (callback) => void committed.push(callback),
          readCache: transactionReads(readCache, writes),
        }),
      ).finally(() => {
        for (const sql of writes) readCache.wrote(sql);
      });
      runCommitted(committed);
      return result;
    },
    async close() {
      await db.close();
    },
  };
}

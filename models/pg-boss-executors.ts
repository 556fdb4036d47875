import type PgBoss from 'pg-boss';
import type { Database, Queryable } from './database.ts';
import type { Statement } from './statement-gate.ts';

// pg-boss wraps its maintenance and installation scripts in BEGIN … COMMIT; PGlite runs
// multi-statement scripts only through exec, so they run as one of our transactions instead.
const LOCKED_SCRIPT = /^\s*BEGIN;([\s\S]*)COMMIT;\s*$/;

/** pg-boss's own statements (polling, completing, maintenance) on the database, outside our transactions. */
export function databaseExecutor(db: Database): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const script = LOCKED_SCRIPT.exec(text);
      if (script) {
        await db.transaction((tx) => tx.exec(script[1]!));
        return { rows: [] };
      }
      return { rows: await db.query(text, values) };
    },
  };
}

/** pg-boss statements inside one of our transactions (on PGlite, the only way not to wait for ourselves). */
export const transactionExecutor = (tx: Queryable): PgBoss.Db => ({
  async executeSql(text, values) {
    return { rows: await tx.query(text, values) };
  },
});

/**
 * The statement a pg-boss call would run, not run: the call is made with this executor, and its one
 * statement is handed back (to run as a part of a larger one). Its answer to pg-boss is no rows.
 */
export async function statementOf(call: (db: PgBoss.Db) => Promise<unknown>): Promise<Statement> {
  let statement: Statement | null = null;
  await call({
    async executeSql(text, values) {
      if (statement) throw new Error('pg-boss made more than one statement where one was expected');
      statement = { sql: text, params: values ?? [] };
      return { rows: [] };
    },
  });
  if (!statement) throw new Error('pg-boss made no statement');
  return statement;
}

/** Our lock class for starting the job queue (the seeds use 727002–727004, the migrations their own). */
const JOB_QUEUE_START_LOCK = 727005;

/**
 * Runs `start` (pg-boss's start: install or migrate its schema, create queues) while holding a lock
 * every instance takes first. Two instances starting at once on a new schema otherwise race inside
 * pg-boss's install (`CREATE SCHEMA IF NOT EXISTS` run concurrently fails with a unique violation).
 * The lock is held by a transaction of its own while `start` runs on other pooled connections; PGlite
 * has one connection and one process, so nothing to race with there.
 */
export async function startUnderLock<T>(db: Database, schema: string, start: () => Promise<T>): Promise<T> {
  if (db.kind === 'pglite') return start();
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [JOB_QUEUE_START_LOCK, schema]);
    return start();
  });
}

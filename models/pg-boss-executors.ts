import type PgBoss from 'pg-boss';
import type { Database, Queryable } from './database.ts';

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

import { AsyncLocalStorage } from 'node:async_hooks';

/** A statement as the database layer is about to run it. */
export interface Statement {
  sql: string;
  params: readonly unknown[];
}

/**
 * Statements to run as parts of one larger statement: each part's text with its placeholders
 * renumbered to follow those of the parts before it, and all their parameters in that order.
 */
export function asParts(parts: readonly Statement[]): { texts: string[]; params: unknown[] } {
  const params: unknown[] = [];
  const texts = parts.map((part) => {
    const offset = params.length;
    params.push(...part.params);
    return part.sql.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
  });
  return { texts, params };
}

/**
 * Settles a guard before one of its writes (see guardWrites). `write` is given when the statement
 * may run inside a larger one (declared with composableWrite): the guard may then run it itself,
 * carrying its own store in the same statement, and resolve to the statement's rows. Resolves to
 * undefined when the caller is to run the statement; rejects when writes may not go.
 */
export type BeforeWrite = (write: Statement | null) => Promise<unknown[] | undefined>;

/**
 * Work that may read before it may write (a bot turn begun before its customer message is stored,
 * bot/customer-inbox.ts): inside `guardWrites`, every statement and transaction goes through
 * `beforeWrite` first, except statements declared read-only, which go at once. Such work can read
 * but never write unless the guard lets it. `outsideGuard` runs what is the guard's own business
 * (the store that settles it).
 */
const guards = new AsyncLocalStorage<{ beforeWrite: BeforeWrite | undefined }>();

/** Statement texts that only read: they need not wait. */
const readOnly = new Set<string>();
/** Statement texts that may run inside another statement (see composableWrite). */
const composable = new Set<string>();

/** Declares a statement text read-only (no writes, no functions that write) and returns it. */
export function readOnlyStatement(sql: string): string {
  readOnly.add(sql);
  return sql;
}

/**
 * Declares a statement text composable and returns it: one SELECT whose writes all happen in the
 * functions it calls, with no data-modifying WITH and no `$` but in its placeholders, so that it
 * may run as a subquery of a larger statement, its placeholders renumbered.
 */
export function composableWrite(sql: string): string {
  composable.add(sql);
  return sql;
}

/** Runs `work` with its writes behind `beforeWrite` (see above); once `work` is over, nothing begun in it waits any more. */
export function guardWrites<T>(beforeWrite: BeforeWrite, work: () => Promise<T>): Promise<T> {
  const guard: { beforeWrite: BeforeWrite | undefined } = {
    beforeWrite: (write) => guards.exit(() => beforeWrite(write)),
  };
  return guards.run(guard, work).finally(() => {
    guard.beforeWrite = undefined;
  });
}

/** `work` outside any guard: its statements go at once. */
export function outsideGuard<T>(work: () => Promise<T>): Promise<T> {
  return guards.exit(work);
}

/**
 * Undefined when the statement (null: a transaction) may go at once: outside a guard, or a
 * read-only text. Else a promise of what the guard decided: the statement's rows when the guard
 * ran it, undefined when it may go now; rejected if writes may not go.
 */
export function beforeStatement(sql: string | null, params: readonly unknown[] | undefined): Promise<unknown[] | undefined> | undefined {
  const guard = guards.getStore()?.beforeWrite;
  if (!guard || (sql !== null && readOnly.has(sql))) return undefined;
  return guard(sql !== null && composable.has(sql) ? { sql, params: params ?? [] } : null);
}

/**
 * A statement past the gate: `run()`'s rows, once the statement may go (at once outside a guard),
 * or the rows the guard got when it ran the statement inside its own. `run` is not gated again.
 */
export function pastTheGate<T>(sql: string, params: readonly unknown[] | undefined, run: () => Promise<T[]>): Promise<T[]> {
  const gate = beforeStatement(sql, params);
  if (!gate) return run();
  return gate.then((ran) => (ran ? (ran as T[]) : outsideGuard(run)));
}

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Work that may read before it may write (a bot turn begun before its customer message is stored,
 * bot/customer-inbox.ts): inside `guardWrites`, every statement and transaction waits for
 * `beforeWrite` (called once, by the first of them), except statements declared read-only, which
 * go at once. If `beforeWrite` fails, so does every write: such work can read but never write
 * unless it may. `outsideGuard` runs what is the guard's own business (the store that settles it).
 */
const guards = new AsyncLocalStorage<{ beforeWrite: (() => Promise<void>) | undefined }>();

/** Statement texts that only read: they need not wait. */
const readOnly = new Set<string>();

/** Declares a statement text read-only (no writes, no functions that write) and returns it. */
export function readOnlyStatement(sql: string): string {
  readOnly.add(sql);
  return sql;
}

/** Runs `work` with its writes behind `beforeWrite` (see above); once `work` is over, nothing begun in it waits any more. */
export function guardWrites<T>(beforeWrite: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  let settled: Promise<void> | undefined;
  const guard: { beforeWrite: (() => Promise<void>) | undefined } = {
    beforeWrite: () => (settled ??= guards.exit(beforeWrite)),
  };
  return guards.run(guard, work).finally(() => {
    guard.beforeWrite = undefined;
  });
}

/** `work` outside any guard: its statements go at once. */
export function outsideGuard<T>(work: () => Promise<T>): Promise<T> {
  return guards.exit(work);
}

/** Resolves when the statement may go: at once outside a guard or for a read-only text; rejects if writes may not go. */
export function statementMayGo(sql: string | null): Promise<void> | undefined {
  const guard = guards.getStore()?.beforeWrite;
  return guard && (sql === null || !readOnly.has(sql)) ? guard() : undefined;
}

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A barrier for the statements of work that started before it was allowed to change anything (a
 * bot turn begun while its customer message is still being stored): inside `behindGate`, every
 * statement and transaction waits for the gate to open, except statements declared read-only,
 * which go at once. A gate that fails fails them all, so such work can read but never write
 * unless the gate opens.
 */
const gates = new AsyncLocalStorage<{ gate: Promise<void> | undefined }>();

/** Statement texts that only read: they need not wait behind a gate. */
const readOnly = new Set<string>();

/** Declares a statement text read-only (no writes, no functions that write) and returns it. */
export function readOnlyStatement(sql: string): string {
  readOnly.add(sql);
  return sql;
}

/**
 * Runs `work` with its statements behind `gate` (see above). Once `work` is over the gate is lifted,
 * so that nothing begun inside it (a timer, a pooled connection's callbacks) is held by it later.
 */
export function behindGate<T>(gate: Promise<void>, work: () => Promise<T>): Promise<T> {
  const held = { gate: gate as Promise<void> | undefined };
  return gates.run(held, work).finally(() => {
    held.gate = undefined;
  });
}

/** Resolves when the statement may go: at once outside a gate or for a read-only text; rejects if the gate failed. */
export function statementMayGo(sql: string | null): Promise<void> | undefined {
  const gate = gates.getStore()?.gate;
  return gate && (sql === null || !readOnly.has(sql)) ? gate : undefined;
}

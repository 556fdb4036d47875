import type { Tx } from '../../models/database.ts';
import type { DurableTimers } from '../../notifications/delivery-queue.ts';

/**
 * Timers of one process (setTimeout): what a router built without the job queue uses. They die with
 * the process; the server composes the durable ones (pg-boss jobs, delivery-queue.ts) instead.
 */
export class MemoryTimers implements DurableTimers {
  private readonly pending = new Set<NodeJS.Timeout>();
  private onDue: ((key: string) => Promise<void>) | null = null;

  constructor(private readonly onError: (err: unknown, key: string) => void) {}

  async start(tx: Tx, key: string, afterMs: number): Promise<void> {
    tx.afterCommit(() => {
      const timer = setTimeout(() => {
        this.pending.delete(timer);
        this.onDue?.(key).catch((err) => this.onError(err, key));
      }, afterMs);
      timer.unref();
      this.pending.add(timer);
    });
  }

  async listen(onDue: (key: string) => Promise<void>): Promise<void> {
    this.onDue = onDue;
  }

  /** Drops the timers not yet fired (shutdown, tests). */
  clear(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }
}

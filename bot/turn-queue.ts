/**
 * Runs work one at a time per key (a conversation), in arrival order, so a customer's quick
 * successive messages are answered in order. Across processes bot/turn-order.ts orders turns, and
 * the dialog state's eTag guards every write.
 */
export class TurnQueue {
  private readonly tails = new Map<string, Promise<void>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  /** Whether work for the key is running or queued. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }

  /** Resolves when every queued turn has finished (shutdown, tests). */
  async drain(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}

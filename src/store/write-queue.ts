/**
 * Runs write operations one at a time, in call order. Each store has one, so concurrent callers in a
 * process (ingest workers, the server) never interleave the steps of two commits.
 */
export class WriteQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // A failed task must not poison the queue; its caller sees the rejection.
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves when every queued write has settled. */
  async drain(): Promise<void> {
    await this.tail;
  }
}

/**
 * Group commit: items written while a batch is in flight go into the next batch, so the cost per
 * item falls as the load rises. `write` resolves once its item's batch is committed, with that
 * item's result. Up to `parallel` batches may be in flight, so one slow statement does not hold
 * every writer up.
 */
export interface GroupCommitOptions<I, O> {
  /** Writes a batch; returns one result per item, in order. */
  writeBatch(items: I[]): Promise<O[]>;
  maxBatch: number;
  parallel: number;
  /**
   * What a failed batch does: 'fail-all' rejects every item of it; 'one-by-one' retries each item
   * alone so one bad item does not fail its neighbours.
   */
  onBatchError: 'fail-all' | 'one-by-one';
  /** Told about every failed batch (before the retry, if any). */
  onError?(err: unknown, size: number): void;
  /** Told after every batch, written or failed (back-pressure resumes readers here). */
  afterBatch?(): void;
}

export class GroupCommit<I, O> {
  private queue: { item: I; done: (o: O) => void; fail: (e: unknown) => void }[] = [];
  private inFlight = 0;

  constructor(private opts: GroupCommitOptions<I, O>) {}

  /** Items waiting for a batch (not those being written): what back-pressure watches. */
  get queued(): number {
    return this.queue.length;
  }

  write(item: I): Promise<O> {
    return new Promise((done, fail) => {
      this.queue.push({ item, done, fail });
      if (this.inFlight < this.opts.parallel) {
        this.inFlight++;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Resolves when everything queued so far is written (tests, shutdown). */
  async drain() {
    while (this.inFlight || this.queue.length) await new Promise((r) => setTimeout(r, 5));
  }

  private async flush() {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      try {
        const out = await this.opts.writeBatch(batch.map((b) => b.item));
        batch.forEach((b, i) => b.done(out[i]));
      } catch (err) {
        this.opts.onError?.(err, batch.length);
        if (this.opts.onBatchError === 'fail-all') {
          for (const b of batch) b.fail(err);
          continue;
        }
        for (const b of batch) {
          try {
            b.done((await this.opts.writeBatch([b.item]))[0]);
          } catch (e) {
            b.fail(e);
          }
        }
      }
      this.opts.afterBatch?.();
    }
    this.inFlight--;
  }
}

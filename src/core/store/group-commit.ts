/**
 * Group commit: many callers, one transaction.
 *
 * Every `submit` made before the queue is flushed joins the same group, and the group is committed
 * by ONE call of `commitGroup` (one transaction, one fsync). The flush runs on `setImmediate`, so
 * all submissions of the current turn of the event loop (e.g. several webhook requests read in the
 * same poll phase) share it; requests that arrive while a commit blocks the thread pile up and form
 * the next group. Durability thus costs one fsync per group, not one per request.
 *
 * Invariants:
 * - A promise resolves only after `commitGroup` returned for a group that contains its item, i.e.
 *   after the transaction committed; it rejects when that commit threw.
 * - A failure that hits every item alike (`failsEveryItem`: locked database, full disk, I/O error,
 *   closed store) rejects the whole group at once, and the items queued behind it too: a commit
 *   blocks the event loop (for up to the busy timeout on a lock), so retrying each item would
 *   freeze it N times over for nothing. The callers answer 503 and Twilio retries later.
 * - Any other failure of a group of several items retries each item alone, so one poison item
 *   cannot fail the others; if a retry then hits a failure shared by all, the remaining items are
 *   rejected without another attempt.
 * - Items are committed in submission order.
 */

/** Commits the items in one transaction and returns one result per item, in order. Synchronous. */
export type CommitGroup<I, O> = (items: readonly I[]) => O[];

export interface GroupCommitStats {
  /** Transactions committed successfully. */
  commits: number;
  /** Items committed (sum of group sizes). */
  items: number;
  /** Groups that failed as a whole. */
  failures: number;
}

export interface GroupCommitOptions<I> {
  /** Upper bound of one group, in weight units (e.g. events); the rest waits for the next group. */
  maxGroupWeight?: number;
  weightOf?: (item: I) => number;
  /** Whether a commit error would fail any item alike (default: never, so items are retried alone). */
  failsEveryItem?: (error: unknown) => boolean;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class GroupCommitter<I, O> {
  private queue: Pending<I, O>[] = [];
  private scheduled = false;
  private readonly maxGroupWeight: number;
  private readonly weightOf: (item: I) => number;
  private readonly failsEveryItem: (error: unknown) => boolean;
  readonly stats: GroupCommitStats = { commits: 0, items: 0, failures: 0 };

  constructor(
    private readonly commitGroup: CommitGroup<I, O>,
    options: GroupCommitOptions<I> = {},
  ) {
    this.maxGroupWeight = options.maxGroupWeight ?? Number.POSITIVE_INFINITY;
    this.weightOf = options.weightOf ?? (() => 1);
    this.failsEveryItem = options.failsEveryItem ?? (() => false);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for their commit. */
  get pending(): number {
    return this.queue.length;
  }

  /** Commits everything queued now, synchronously (used before closing). */
  flushAll(): void {
    while (this.queue.length > 0) this.flushOneGroup();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushOneGroup();
      if (this.queue.length > 0) this.schedule();
    });
  }

  private takeGroup(): Pending<I, O>[] {
    let weight = 0;
    let count = 0;
    for (const pending of this.queue) {
      weight += this.weightOf(pending.item);
      // always take at least one item, even an oversized one
      if (count > 0 && weight > this.maxGroupWeight) break;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private flushOneGroup(): void {
    const group = this.takeGroup();
    if (group.length === 0) return;
    const failure = this.tryCommit(group);
    if (failure === null) return;
    if (group.length === 1 || this.failsEveryItem(failure.error)) {
      this.rejectWithQueue(group, failure.error);
      return;
    }
    for (const [index, single] of group.entries()) {
      const singleFailure = this.tryCommit([single]);
      if (singleFailure === null) continue;
      if (this.failsEveryItem(singleFailure.error)) {
        this.rejectWithQueue(group.slice(index), singleFailure.error);
        return;
      }
      single.reject(singleFailure.error);
    }
  }

  /**
   * Rejects `items`; when the error hits every item alike, also everything queued behind them,
   * which would only wait for the same lock or hit the same full disk.
   */
  private rejectWithQueue(items: Pending<I, O>[], error: unknown): void {
    const rejected = this.failsEveryItem(error) ? [...items, ...this.queue.splice(0)] : items;
    for (const pending of rejected) pending.reject(error);
  }

  /** Commits the group and settles its promises on success; on failure returns the error. */
  private tryCommit(group: Pending<I, O>[]): { error: unknown } | null {
    let results: O[];
    try {
      results = this.commitGroup(group.map((pending) => pending.item));
    } catch (error) {
      this.stats.failures++;
      return { error };
    }
    this.stats.commits++;
    this.stats.items += group.length;
    group.forEach((pending, index) => {
      const result = results[index];
      if (result === undefined) pending.reject(new Error('group commit returned no result for an item'));
      else pending.resolve(result);
    });
    return null;
  }
}

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
 * - If a group of several items fails, each item is retried alone, so one poison item cannot fail
 *   the others (a failure shared by all, like a full disk, fails each one again).
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
  readonly stats: GroupCommitStats = { commits: 0, items: 0, failures: 0 };

  constructor(
    private readonly commitGroup: CommitGroup<I, O>,
    options: GroupCommitOptions<I> = {},
  ) {
    this.maxGroupWeight = options.maxGroupWeight ?? Number.POSITIVE_INFINITY;
    this.weightOf = options.weightOf ?? (() => 1);
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
    if (this.tryCommit(group)) return;
    if (group.length === 1) return;
    for (const single of group) this.tryCommit([single]);
  }

  /** Returns whether the group committed; on failure of a single item, rejects it. */
  private tryCommit(group: Pending<I, O>[]): boolean {
    let results: O[];
    try {
      results = this.commitGroup(group.map((pending) => pending.item));
    } catch (error) {
      this.stats.failures++;
      if (group.length === 1) group[0]?.reject(error);
      return false;
    }
    this.stats.commits++;
    this.stats.items += group.length;
    group.forEach((pending, index) => {
      const result = results[index];
      if (result === undefined) pending.reject(new Error('group commit returned no result for an item'));
      else pending.resolve(result);
    });
    return true;
  }
}

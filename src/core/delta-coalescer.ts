/**
 * Coalesces what changed in the store into pushes at most every `intervalMs`: the latest summary
 * of each changed execution, the flows whose counts changed, and the stats. A burst of 10,000
 * events in a second becomes ~10-20 pushes, each holding every execution only once.
 */
import type { ExecutionSummary } from '../shared/execution-model.js';

export interface CoalescedDelta {
  executions: ExecutionSummary[];
  flowSids: string[];
}

export class DeltaCoalescer {
  private executions = new Map<string, ExecutionSummary>();
  private flowSids = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private dirty = false;

  constructor(
    private readonly intervalMs: number,
    private readonly flush: (delta: CoalescedDelta) => void,
  ) {}

  add(summaries: readonly ExecutionSummary[]): void {
    for (const summary of summaries) {
      this.executions.set(summary.executionSid, summary);
      this.flowSids.add(summary.flowSid);
    }
    this.touch();
  }

  /** Something else changed (counters): push stats at the next tick even with no execution. */
  touch(): void {
    this.dirty = true;
    if (this.timer !== null) return;
    this.timer = setTimeout(() => this.flushNow(), this.intervalMs);
    // A pending push must not keep a shutting-down process alive.
    this.timer.unref();
  }

  flushNow(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (!this.dirty) return;
    const delta: CoalescedDelta = { executions: [...this.executions.values()], flowSids: [...this.flowSids] };
    this.executions = new Map();
    this.flowSids = new Set();
    this.dirty = false;
    this.flush(delta);
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * Buffers pushed events and hands them over ONCE PER ANIMATION FRAME, merged: the latest summary
 * per execution, the latest counts per flow, the latest stats. However fast the core pushes, React
 * renders at most once per frame.
 *
 * While held (a snapshot is being fetched) nothing is handed over; the buffer keeps merging and is
 * flushed on the first frame after release, so deltas apply on top of the fresh snapshot.
 * A 'store.reset' drops what was buffered before it (the snapshot it triggers supersedes them).
 * Payloads come from our own core and are typed by the contract; shapes are only sanity-checked.
 */
import type { PushEventName, Stats } from '../../../shared/contract.js';
import type { ExecutionSummary, FlowSummary } from '../../../shared/execution-model.js';

export interface PushBatch {
  reset: boolean;
  executions: ExecutionSummary[];
  flows: FlowSummary[];
  stats: Stats | null;
}

export type FrameScheduler = (callback: () => void) => void;

export function animationFrameScheduler(): FrameScheduler {
  if (typeof requestAnimationFrame === 'function') return (callback) => requestAnimationFrame(() => callback());
  return (callback) => setTimeout(callback, 16);
}

function listOf<T>(payload: unknown, key: string): T[] {
  if (typeof payload !== 'object' || payload === null) return [];
  const value = (payload as Record<string, unknown>)[key];
  return Array.isArray(value) ? (value as T[]) : [];
}

export class PushBatcher {
  private reset = false;
  private readonly executions = new Map<string, ExecutionSummary>();
  private readonly flows = new Map<string, FlowSummary>();
  private stats: Stats | null = null;
  private scheduled = false;
  private holds = 0;

  constructor(
    private readonly schedule: FrameScheduler,
    private readonly flush: (batch: PushBatch) => void,
  ) {}

  add(event: PushEventName, payload: unknown): void {
    switch (event) {
      case 'executions.changed':
        for (const summary of listOf<ExecutionSummary>(payload, 'executions')) {
          this.executions.set(summary.executionSid, summary);
        }
        break;
      case 'flows.changed':
        for (const flow of listOf<FlowSummary>(payload, 'flows')) this.flows.set(flow.flowSid, flow);
        break;
      case 'stats.changed':
        if (typeof payload === 'object' && payload !== null) this.stats = payload as Stats;
        break;
      case 'store.reset':
        this.reset = true;
        this.executions.clear();
        this.flows.clear();
        break;
    }
    this.request();
  }

  hold(): void {
    this.holds += 1;
  }

  release(): void {
    this.holds = Math.max(0, this.holds - 1);
    this.request();
  }

  private isEmpty(): boolean {
    return !this.reset && this.executions.size === 0 && this.flows.size === 0 && this.stats === null;
  }

  private request(): void {
    if (this.scheduled || this.holds > 0 || this.isEmpty()) return;
    this.scheduled = true;
    this.schedule(() => {
      this.scheduled = false;
      if (this.holds > 0 || this.isEmpty()) return;
      const batch: PushBatch = {
        reset: this.reset,
        executions: [...this.executions.values()],
        flows: [...this.flows.values()],
        stats: this.stats,
      };
      this.reset = false;
      this.executions.clear();
      this.flows.clear();
      this.stats = null;
      this.flush(batch);
    });
  }
}

/**
 * Resources of a live connection that could not be deleted when they should have been (Twilio
 * refused, or did not answer): the old sink after a tunnel URL change, or a sink a failed re-point
 * made. They are kept here instead of being forgotten.
 *
 * Boundary module (deletes resources in the user's Twilio account, through provisioning.ts).
 * Invariants:
 * - An entry leaves the list only when Twilio confirmed the deletion (a 404 counts as gone).
 * - While connected, entries are retried with exponential backoff, a bounded number of times;
 *   after that they wait for teardown, which tries them once more (`flush`). Whatever still
 *   remains is reported by the caller, which keeps the leftover flag set so that the next start
 *   or Connect removes it by its tag.
 * - Attempts never overlap: one run at a time, and `flush` waits for a run in flight.
 */
import type { EventStreamsApi } from '../twilio/event-streams.js';
import { removeCreated, type Removal } from './provisioning.js';

/** A sink to delete (with its subscriptions), or a sweep for whatever carries a description (a create whose answer was lost). */
export type PendingRemoval = { kind: 'sink'; sinkSid: string } | { kind: 'sweep'; description: string };

/** Retries while connected; the delays are retryMs, 2x, 4x, ... */
export const MAX_RETRIES_WHILE_CONNECTED = 4;

interface Entry {
  removal: PendingRemoval;
  /** The last failure, one sentence safe to show. */
  problem: string;
  /** What the caller showed the user about it (withdrawn once it is removed). */
  note: string | null;
}

export interface PendingRemovalsOptions {
  api: EventStreamsApi;
  describe: (error: unknown) => string;
  retryMs: number;
  /** An entry was removed (by a retry or a flush). */
  onRemoved?: (removal: PendingRemoval, note: string | null) => void;
}

export interface FlushResult {
  removedSinks: string[];
  /** Keys of the entries this flush tried. */
  attempted: string[];
}

/** One attempt; never throws (see removeCreated). */
export function removeOne(api: EventStreamsApi, removal: PendingRemoval, describe: (error: unknown) => string): Promise<Removal> {
  return removal.kind === 'sink' ? removeCreated(api, [removal.sinkSid], null, describe) : removeCreated(api, [], removal.description, describe);
}

/** `sink DG...`, or what a sweep is for, as a user reads it. */
export function describeRemoval(removal: PendingRemoval): string {
  return removal.kind === 'sink' ? `sink ${removal.sinkSid}` : 'a sink whose creation was not confirmed';
}

export function keyOf(removal: PendingRemoval): string {
  return removal.kind === 'sink' ? `sink:${removal.sinkSid}` : `sweep:${removal.description}`;
}

export class PendingRemovals {
  private readonly entries = new Map<string, Entry>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<FlushResult> = Promise.resolve({ removedSinks: [], attempted: [] });
  private retries = 0;
  private stopped = false;

  constructor(private readonly options: PendingRemovalsOptions) {}

  removals(): PendingRemoval[] {
    return [...this.entries.values()].map((entry) => entry.removal);
  }

  /** One sentence per entry still pending: why its last attempt failed. */
  problems(): string[] {
    return [...this.entries.values()].map((entry) => entry.problem);
  }

  /** Remembers a failed removal and (unless stopped) schedules a retry from the shortest delay. */
  add(removal: PendingRemoval, problem: string, note: string | null = null): void {
    const existing = this.entries.get(keyOf(removal));
    // Updated in place, so that an attempt in flight for it still finds its entry.
    if (existing !== undefined) {
      existing.problem = problem;
      existing.note = note ?? existing.note;
    } else {
      this.entries.set(keyOf(removal), { removal, problem, note });
    }
    this.retries = 0;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.schedule();
  }

  /** No more automatic retries (teardown); entries stay for `flush`. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Tries the entries (all, or those whose key `only` accepts) once, after any run in flight. */
  flush(only: (key: string) => boolean = () => true): Promise<FlushResult> {
    const run = this.running.catch(() => undefined).then(() => this.attempt(only));
    this.running = run;
    return run;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== null || this.entries.size === 0 || this.retries >= MAX_RETRIES_WHILE_CONNECTED) return;
    const delay = this.options.retryMs * 2 ** this.retries;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.retries += 1;
      // a throwing onRemoved callback must not become an unhandled rejection
      void this.flush()
        .catch(() => undefined)
        .then(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  private async attempt(only: (key: string) => boolean): Promise<FlushResult> {
    const result: FlushResult = { removedSinks: [], attempted: [] };
    for (const [key, entry] of [...this.entries]) {
      if (!only(key)) continue;
      result.attempted.push(key);
      const { removal } = entry;
      const outcome = await removeOne(this.options.api, removal, this.options.describe);
      result.removedSinks.push(...outcome.removedSinks);
      if (outcome.problems.length > 0) {
        entry.problem = outcome.problems.join(' ');
        continue;
      }
      this.entries.delete(key);
      this.options.onRemoved?.(removal, entry.note);
    }
    return result;
  }
}

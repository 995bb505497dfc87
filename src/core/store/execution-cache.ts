/**
 * A bounded LRU cache of recent executions' parsed events, so that a live execution receiving a
 * step every second is not re-read and re-parsed from SQLite on every commit.
 *
 * Invariants: an entry holds exactly the events of that execution in the committed store (the
 * store invalidates entries whose transaction rolled back and those it deletes). Bounded by both
 * the number of executions and the total number of events held.
 */
import type { StudioEvent } from '../../shared/studio-event.js';

export interface ExecutionCacheLimits {
  maxExecutions: number;
  maxEvents: number;
}

export const DEFAULT_CACHE_LIMITS: ExecutionCacheLimits = { maxExecutions: 8_192, maxEvents: 40_000 };

export class ExecutionEventsCache {
  /** Map iteration order is insertion order: the first key is the least recently used. */
  private readonly entries = new Map<string, Map<string, StudioEvent>>();
  private eventCount = 0;

  constructor(private readonly limits: ExecutionCacheLimits = DEFAULT_CACHE_LIMITS) {}

  /** The cached events of an execution (and marks it recently used), or undefined. */
  get(executionSid: string): Map<string, StudioEvent> | undefined {
    const events = this.entries.get(executionSid);
    if (events === undefined) return undefined;
    this.entries.delete(executionSid);
    this.entries.set(executionSid, events);
    return events;
  }

  /** Stores the full event set of an execution. */
  set(executionSid: string, events: Map<string, StudioEvent>): void {
    this.delete(executionSid);
    this.entries.set(executionSid, events);
    this.eventCount += events.size;
    this.evict();
  }

  /** Adds newly committed events to a cached execution (no-op when it is not cached). */
  add(executionSid: string, event: StudioEvent): void {
    const events = this.entries.get(executionSid);
    if (events === undefined || events.has(event.id)) return;
    events.set(event.id, event);
    this.eventCount++;
  }

  delete(executionSid: string): void {
    const events = this.entries.get(executionSid);
    if (events === undefined) return;
    this.eventCount -= events.size;
    this.entries.delete(executionSid);
  }

  clear(): void {
    this.entries.clear();
    this.eventCount = 0;
  }

  get size(): { executions: number; events: number } {
    return { executions: this.entries.size, events: this.eventCount };
  }

  /** Evicts least recently used entries until within limits (the newest entry always stays). */
  evict(): void {
    for (const [sid, events] of this.entries) {
      const over = this.entries.size > this.limits.maxExecutions || this.eventCount > this.limits.maxEvents;
      if (!over || this.entries.size <= 1) return;
      this.entries.delete(sid);
      this.eventCount -= events.size;
    }
  }
}

/**
 * Counters of what the receiver saw since this process started, and a per-second rate over a
 * short sliding window. Bounded memory: one bucket per second for the window, nothing per event.
 */
import type { Stats, UnverifiedRecord } from '../shared/contract.js';

const RATE_WINDOW_SECONDS = 5;
/** The UI lists the latest unverified requests; older ones are only counted. */
export const MAX_UNVERIFIED_KEPT = 200;

export class LiveStats {
  receivedEvents = 0;
  duplicatesIgnored = 0;
  rejectedEvents = 0;
  unverifiedRequests = 0;
  badRequests = 0;
  otherEvents = 0;
  lastSinkTest: Stats['lastSinkTest'] = null;
  private readonly unverified: UnverifiedRecord[] = [];
  /** [second, count] buckets, oldest first. */
  private readonly buckets: Array<[number, number]> = [];

  constructor(private readonly now: () => number = Date.now) {}

  recordEvents(count: number): void {
    this.receivedEvents += count;
    const second = Math.floor(this.now() / 1000);
    const last = this.buckets[this.buckets.length - 1];
    if (last && last[0] === second) last[1] += count;
    else this.buckets.push([second, count]);
    this.prune(second);
  }

  recordUnverified(record: UnverifiedRecord): void {
    this.unverifiedRequests++;
    this.unverified.push(record);
    if (this.unverified.length > MAX_UNVERIFIED_KEPT) this.unverified.shift();
  }

  /** Latest first. */
  listUnverified(): UnverifiedRecord[] {
    return [...this.unverified].reverse();
  }

  /** Events per second over the last full seconds of the window. */
  eventsPerSecond(): number {
    const second = Math.floor(this.now() / 1000);
    this.prune(second);
    let total = 0;
    for (const [bucketSecond, count] of this.buckets) if (bucketSecond < second) total += count;
    return Math.round((total / RATE_WINDOW_SECONDS) * 10) / 10;
  }

  snapshot(stored: { storedEvents: number; executions: number }): Stats {
    return {
      ...stored,
      receivedEvents: this.receivedEvents,
      eventsPerSecond: this.eventsPerSecond(),
      duplicatesIgnored: this.duplicatesIgnored,
      rejectedEvents: this.rejectedEvents,
      unverifiedRequests: this.unverifiedRequests,
      badRequests: this.badRequests,
      otherEvents: this.otherEvents,
      lastSinkTest: this.lastSinkTest,
    };
  }

  private prune(second: number): void {
    while (this.buckets.length > 0 && this.buckets[0]![0] < second - RATE_WINDOW_SECONDS) this.buckets.shift();
  }
}

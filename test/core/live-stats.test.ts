import { describe, expect, it } from 'vitest';
import { LiveStats, MAX_UNVERIFIED_KEPT } from '../../src/core/live-stats.js';

describe('live stats', () => {
  it('computes events per second over the last full seconds', () => {
    let now = 1_000_000;
    const stats = new LiveStats(() => now);
    stats.recordEvents(50);
    now += 1000;
    stats.recordEvents(50);
    now += 1000;
    expect(stats.receivedEvents).toBe(100);
    expect(stats.eventsPerSecond()).toBe(20); // 100 events over a 5 s window
    now += 10_000;
    expect(stats.eventsPerSecond()).toBe(0);
  });

  it('keeps only the latest unverified requests but counts all', () => {
    const stats = new LiveStats();
    for (let i = 0; i < MAX_UNVERIFIED_KEPT + 5; i++) stats.recordUnverified({ receivedAt: String(i), remoteAddress: null, reason: 'bad signature' });
    expect(stats.unverifiedRequests).toBe(MAX_UNVERIFIED_KEPT + 5);
    const kept = stats.listUnverified();
    expect(kept).toHaveLength(MAX_UNVERIFIED_KEPT);
    expect(kept[0]?.receivedAt).toBe(String(MAX_UNVERIFIED_KEPT + 4));
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../src/core/tunnel/backoff.js';

describe('backoffDelay', () => {
  it('doubles from 1 s and stops at 60 s (no jitter at random = 0.5)', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 50, 10_000].map((failures) => backoffDelay(failures, DEFAULT_BACKOFF, () => 0.5));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000]);
  });

  it('stays within ±jitter of the base and never above the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (failures, r) => {
        const base = Math.min(60_000, 1_000 * 2 ** Math.min(failures - 1, 30));
        const delay = backoffDelay(failures, DEFAULT_BACKOFF, () => r);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(base * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.min(60_000, Math.ceil(base * 1.2)));
      }),
    );
  });

  it('copes with a broken random source', () => {
    expect(backoffDelay(1, DEFAULT_BACKOFF, () => Number.NaN)).toBe(1_000);
    expect(backoffDelay(0, DEFAULT_BACKOFF, () => 0.5)).toBe(1_000);
  });
});

// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { formatDuration, formatOffset } from '../../../src/renderer/src/lib/format.js';
import { stepScale } from '../../../src/renderer/src/lib/step-timing.js';
import { makeStep } from '../fixtures.js';

const steps = (...durations: (number | null)[]) =>
  durations.map((durationMs, i) => makeStep({ stepSid: `FT${i}`, widget: `w${i}`, durationMs }));

describe('step timing', () => {
  it('calls a step a WAIT past 30 s, or past 10x the median when at least 5 s', () => {
    const scale = stepScale(steps(100, 200, 300, 45_000));
    expect(scale.isWait(45_000)).toBe(true);
    expect(scale.isWait(300)).toBe(false);

    const fast = stepScale(steps(50, 60, 70, 900, 6_000));
    expect(fast.isWait(900)).toBe(false); // 10x the median but well under the floor
    expect(fast.isWait(6_000)).toBe(true);

    const slow = stepScale(steps(4_000, 5_000, 6_000, 20_000));
    expect(slow.isWait(20_000)).toBe(false); // a flow of slow steps: 20 s is normal there
  });

  it('scales bars to the longest step that is not a wait', () => {
    const scale = stepScale([
      ...steps(500, 1_000),
      makeStep({ stepSid: 'FTp', widget: 'parent', durationMs: 2_000, children: steps(7_200_000) }),
    ]);
    expect(scale.fraction(2_000)).toBe(1);
    expect(scale.fraction(500)).toBe(0.25);
    expect(scale.isWait(7_200_000)).toBe(true);
    expect(scale.fraction(null)).toBe(0);
  });

  it('formats durations and offsets compactly', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1_234)).toBe('1.23 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4m 05s');
    expect(formatDuration(7_380_000)).toBe('2h 03m');
    expect(formatDuration(null)).toBe('—');
    expect(formatOffset(65_000)).toBe('+1:05');
    expect(formatOffset(3_723_000)).toBe('+1:02:03');
  });
});

/**
 * How step durations are drawn. A step that waited for a person (an SMS reply an hour later) would
 * squeeze every other bar to nothing on a linear scale, so such a step is a WAIT: shown as a marker
 * with its duration, and left out of the bar scale. The other bars are proportional to the longest
 * non-wait step.
 * WAIT: longer than 30 s, or more than 10x the median step AND at least 5 s (the floor keeps a 600
 * ms step in a flow of 50 ms steps from being called a wait).
 */
import type { StepNode } from '../../../shared/execution-model.js';

export const WAIT_ABSOLUTE_MS = 30_000;
export const WAIT_MEDIAN_FACTOR = 10;
export const WAIT_FLOOR_MS = 5_000;

export interface StepScale {
  isWait(durationMs: number | null): boolean;
  /** 0..1 of the bar column for a non-wait step. */
  fraction(durationMs: number | null): number;
}

function collectDurations(steps: readonly StepNode[], into: number[]): number[] {
  for (const step of steps) {
    if (step.durationMs !== null && Number.isFinite(step.durationMs)) into.push(Math.max(0, step.durationMs));
    collectDurations(step.children, into);
  }
  return into;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? 0)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function stepScale(steps: readonly StepNode[]): StepScale {
  const durations = collectDurations(steps, []);
  const typical = median(durations);
  const isWait = (ms: number | null): boolean =>
    ms !== null && (ms > WAIT_ABSOLUTE_MS || (ms > typical * WAIT_MEDIAN_FACTOR && ms >= WAIT_FLOOR_MS));
  const longest = durations.filter((ms) => !isWait(ms)).reduce((max, ms) => Math.max(max, ms), 0);
  return {
    isWait,
    fraction(ms) {
      if (ms === null || longest <= 0) return 0;
      return Math.min(1, Math.max(0, ms) / longest);
    },
  };
}

import { describe, expect, it } from 'vitest';
import { generateTraffic } from '../../../src/core/demo/traffic-generator.js';
import { createRandom, deriveSeed, mulberry32 } from '../../../src/core/demo/seeded-random.js';

const START = Date.UTC(2025, 0, 1, 9, 0, 0);

describe('seeded random', () => {
  it('repeats its sequence for a seed and differs across seeds', () => {
    const a = mulberry32(1);
    const b = mulberry32(1);
    const c = mulberry32(2);
    const first = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(first);
    expect([c(), c(), c()]).not.toEqual(first);
    expect(deriveSeed(1, 'x')).not.toBe(deriveSeed(1, 'y'));
  });

  it('draws in range and honours zero weights', () => {
    const random = createRandom(9);
    for (let i = 0; i < 1_000; i++) {
      const n = random.int(2, 5);
      expect(n).toBeGreaterThanOrEqual(2);
      expect(n).toBeLessThanOrEqual(5);
      expect(random.weighted({ a: 1, b: 0, c: 3 })).not.toBe('b');
    }
    expect(random.hex(32)).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('generateTraffic', () => {
  it('yields interleaved executions in time order', () => {
    const events = [...generateTraffic({ seed: 3, executions: 30, startTime: START, timeScale: 5 })];
    const times = events.map((event) => Date.parse(event.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBe(START);
    expect(new Set(events.map((event) => event.data.execution_sid)).size).toBe(30);
    // executions overlap: some event of another execution comes between two of the first one's
    const first = events[0]?.data.execution_sid;
    const positions = events.flatMap((event, i) => (event.data.execution_sid === first ? [i] : []));
    expect(positions.at(-1)! - positions[0]!).toBeGreaterThan(positions.length - 1);
  });

  it('stops after `events` events, cutting executions still in progress', () => {
    const events = [...generateTraffic({ seed: 4, events: 500, startTime: START })];
    expect(events).toHaveLength(500);
    expect(new Set(events.map((event) => event.id)).size).toBe(500);
  });

  it('spaces executions so that the timeline carries about `eventsPerSecond`', () => {
    const events = [...generateTraffic({ seed: 5, executions: 400, startTime: START, eventsPerSecond: 50, timeScale: 1e6 })];
    const spanSeconds = (Date.parse(events.at(-1)!.time) - START) / 1000;
    const density = events.length / spanSeconds;
    expect(density).toBeGreaterThan(35);
    expect(density).toBeLessThan(70);
  });

  it('is deterministic for a seed and start time', () => {
    const options = { seed: 11, executions: 20, startTime: START };
    expect([...generateTraffic(options)]).toEqual([...generateTraffic(options)]);
    expect([...generateTraffic({ ...options, seed: 12 })]).not.toEqual([...generateTraffic(options)]);
  });

  it('plays only the scenarios with a weight', () => {
    const events = [
      ...generateTraffic({ seed: 6, executions: 20, startTime: START, scenarioWeights: { ivr: 0, messaging: 0, failure: 0, whatsapp: 0 } }),
    ];
    expect(new Set(events.map((event) => event.data.flow_sid)).size).toBe(1);
  });

  it('rejects a timeline density that is not a finite positive number', () => {
    expect(() => [...generateTraffic({ seed: 1, startTime: START, eventsPerSecond: Infinity })]).toThrow(RangeError);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planDeliveries, type PlannedDelivery } from '../../../src/core/demo/delivery-planner.js';
import type { DemoCloudEvent } from '../../../src/core/demo/execution-script.js';
import { generateTraffic } from '../../../src/core/demo/traffic-generator.js';
import { buildExecutionTree } from '../../../src/shared/execution-tree.js';
import { parseStudioEvent, type StudioEvent } from '../../../src/shared/studio-event.js';

const START = Date.UTC(2025, 0, 1, 9, 0, 0);
const traffic = (executions = 300) => [...generateTraffic({ seed: 21, executions, startTime: START })];

/** The position of the first delivery that carries each event id. */
function firstDelivery(plan: PlannedDelivery[]): Map<string, number> {
  const positions = new Map<string, number>();
  for (const delivery of plan) for (const event of delivery.events) if (!positions.has(event.id)) positions.set(event.id, delivery.index);
  return positions;
}

const parse = (event: DemoCloudEvent): StudioEvent => {
  const result = parseStudioEvent(event);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
};

function treesByExecution(events: DemoCloudEvent[]) {
  const groups = new Map<string, StudioEvent[]>();
  for (const event of events) {
    const list = groups.get(event.data.execution_sid) ?? [];
    list.push(parse(event));
    groups.set(event.data.execution_sid, list);
  }
  return new Map([...groups].map(([sid, list]) => [sid, buildExecutionTree(list)]));
}

describe('planDeliveries', () => {
  const events = traffic();
  const options = { seed: 8, duplicateRate: 0.1, reorderRate: 0.15, batchMax: 5, batchRate: 0.3 };
  const plan = [...planDeliveries(events, options)];
  const originals = plan.filter((delivery) => !delivery.duplicate);

  it('is deterministic for a seed', () => {
    expect([...planDeliveries(events, options)]).toEqual(plan);
    expect([...planDeliveries(events, { ...options, seed: 9 })]).not.toEqual(plan);
  });

  it('delivers every generated event, and only those: nothing lost, nothing invented', () => {
    const delivered = plan.flatMap((delivery) => delivery.events.map((event) => event.id));
    expect(new Set(delivered)).toEqual(new Set(events.map((event) => event.id)));
    // originals carry each event exactly once; only duplicates repeat ids
    const once = originals.flatMap((delivery) => delivery.events.map((event) => event.id));
    expect(once).toHaveLength(events.length);
    expect(new Set(once).size).toBe(events.length);
    expect(plan.map((delivery) => delivery.index)).toEqual(plan.map((_, i) => i));
  });

  it('duplicates, reorders and batches at about the configured rates', () => {
    const share = (count: number) => count / originals.length;
    expect(share(plan.filter((delivery) => delivery.duplicate).length)).toBeGreaterThan(0.07);
    expect(share(plan.filter((delivery) => delivery.duplicate).length)).toBeLessThan(0.13);
    expect(share(originals.filter((delivery) => delivery.reordered).length)).toBeGreaterThan(0.11);
    expect(share(originals.filter((delivery) => delivery.reordered).length)).toBeLessThan(0.19);
    const batches = originals.filter((delivery) => delivery.events.length > 1);
    expect(share(batches.length)).toBeGreaterThan(0.22);
    expect(share(batches.length)).toBeLessThan(0.38);
    expect(Math.max(...plan.map((delivery) => delivery.events.length))).toBe(5);
    for (const duplicate of plan.filter((delivery) => delivery.duplicate)) {
      const original = originals.find((delivery) => delivery.original === duplicate.original);
      expect(duplicate.events).toEqual(original?.events);
      expect(duplicate.index).toBeGreaterThan(original?.index ?? Infinity);
    }
  });

  it('makes steps arrive before their started, and ended before the last step', () => {
    const position = firstDelivery(plan);
    const at = (event: DemoCloudEvent) => position.get(event.id) ?? -1;
    const byExecution = new Map<string, DemoCloudEvent[]>();
    for (const event of events) byExecution.set(event.data.execution_sid, [...(byExecution.get(event.data.execution_sid) ?? []), event]);
    let stepBeforeStarted = 0;
    let endedBeforeLastStep = 0;
    for (const list of byExecution.values()) {
      const started = list.find((event) => event.type.endsWith('execution.started'));
      const ended = list.find((event) => event.type.endsWith('execution.ended'));
      const steps = list.filter((event) => event.type.endsWith('step.ended'));
      if (started && steps.some((step) => at(step) < at(started))) stepBeforeStarted++;
      const lastStep = steps.at(-1);
      if (ended && lastStep && at(ended) < at(lastStep)) endedBeforeLastStep++;
    }
    expect(stepBeforeStarted).toBeGreaterThan(0);
    expect(endedBeforeLastStep).toBeGreaterThan(0);
  });

  it('with all rates at 0 and no batching: one event per delivery, in generated order', () => {
    const plain = [...planDeliveries(events, { seed: 1, duplicateRate: 0, reorderRate: 0, batchMax: 1 })];
    expect(plain.map((delivery) => delivery.events)).toEqual(events.map((event) => [event]));
  });

  it('delivered in plan order, the events build the same execution trees as generated', () => {
    const delivered = plan.flatMap((delivery) => delivery.events);
    const expected = treesByExecution(events);
    const actual = treesByExecution(delivered);
    expect(actual).toEqual(expected);
    const statuses = new Set([...expected.values()].map((tree) => tree.summary.status));
    expect(statuses).toEqual(new Set(['active', 'ended', 'failed']));
    const nested = [...expected.values()].flatMap((tree) => tree.steps).filter((step) => step.children.length > 0);
    expect(nested.length).toBeGreaterThan(0);
    for (const step of nested) expect(step.widget).toBe('run_verify_caller');
  });

  it('for any seed, rates and input length: originals carry each event once; duplicates follow them', () => {
    const pool = traffic(40);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.integer({ min: 0, max: pool.length }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 30 }),
        (seed, length, duplicateRate, reorderRate, batchMax, maxHoldBack) => {
          const input = pool.slice(0, length);
          const out = [...planDeliveries(input, { seed, duplicateRate, reorderRate, batchMax, maxHoldBack })];
          const originalIds = out.filter((d) => !d.duplicate).flatMap((d) => d.events.map((event) => event.id));
          expect(originalIds.sort()).toEqual(input.map((event) => event.id).sort());
          const firstSeen = new Map<number, number>();
          for (const delivery of out) {
            if (!delivery.duplicate) firstSeen.set(delivery.original, delivery.index);
            else expect(firstSeen.has(delivery.original)).toBe(true);
            expect(delivery.events.length).toBeLessThanOrEqual(batchMax);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

/**
 * Many concurrent executions merged into one time-ordered stream of Studio events, the way they
 * happen on a busy account: calls and conversations overlap, so one execution's steps are
 * interleaved with others'.
 *
 * Lazy and bounded: executions are generated as the stream reaches their start time, so memory
 * grows with the number of executions in progress, not with the length of the run (benchmarks
 * stream hundreds of thousands of events). Deterministic for a given seed and start time.
 */
import type { DemoCloudEvent } from './execution-script.js';
import { createRandom } from './seeded-random.js';
import { DEFAULT_SCENARIO_WEIGHTS, generateExecution, type ScenarioName } from './studio-scenarios.js';

export interface TrafficOptions {
  seed: number;
  /** Stop after this many executions (default 40 when `events` is not given either). */
  executions?: number;
  /** Or stop after this many events, in time order (executions still in progress are cut there). */
  events?: number;
  /** Epoch ms of the first execution's start. */
  startTime: number;
  /**
   * Target event density of the timeline (events per second of event time): it spaces execution
   * starts (Poisson arrivals). Finite and positive; default 20.
   */
  eventsPerSecond?: number;
  /** Real durations are divided by this (1 = real time). */
  timeScale?: number;
  /** Relative weights of the scenarios (missing ones keep their default weight; 0 disables). */
  scenarioWeights?: Partial<Record<ScenarioName, number>>;
}

interface Pending {
  atMs: number;
  order: number;
  event: DemoCloudEvent;
}

/** A binary min-heap on (atMs, order): stable for equal times. */
class EventHeap {
  private readonly items: Pending[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Pending | undefined {
    return this.items[0];
  }
  push(item: Pending): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(item, items[parent] as Pending)) break;
      items[i] = items[parent] as Pending;
      i = parent;
    }
    items[i] = item;
  }
  pop(): Pending | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right] as Pending, items[left] as Pending) ? right : left;
      if (!before(items[child] as Pending, last)) break;
      items[i] = items[child] as Pending;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

const before = (a: Pending, b: Pending) => a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);

/** Yields the traffic's events in time order. */
export function* generateTraffic(options: TrafficOptions): Generator<DemoCloudEvent> {
  const random = createRandom(options.seed);
  const weights = { ...DEFAULT_SCENARIO_WEIGHTS, ...options.scenarioWeights };
  const maxEvents = options.events ?? Infinity;
  const maxExecutions = options.executions ?? (options.events === undefined ? 40 : Infinity);
  const density = options.eventsPerSecond ?? 20;
  if (!(density > 0) || !Number.isFinite(density)) throw new RangeError('eventsPerSecond must be a finite positive number');
  const timeScale = options.timeScale ?? 1;

  const heap = new EventHeap();
  let order = 0;
  let executions = 0;
  let yielded = 0;
  // Kept fractional so that gaps shorter than 1 ms (dense benchmark timelines) still add up.
  let nextStartMs = options.startTime;

  while (yielded < maxEvents) {
    const canStartMore = executions < maxExecutions;
    const head = heap.peek();
    if (head !== undefined && (!canStartMore || head.atMs <= nextStartMs)) {
      heap.pop();
      yielded++;
      yield head.event;
      continue;
    }
    if (!canStartMore) return;
    const scenario = random.weighted(weights);
    const { script } = generateExecution(random, scenario, nextStartMs, timeScale);
    executions++;
    for (const event of script.events) heap.push({ atMs: Date.parse(event.time), order: order++, event });
    // Space the next start so that, on average, the timeline carries `density` events per second.
    nextStartMs += random.exponential((script.events.length * 1000) / density);
  }
}

/**
 * How sibling steps are ordered (DESIGN.md section 4): by their own time; steps with equal or
 * missing times along the `transitioned_from -> transitioned_to` chain; then by step sid. Every
 * tie is broken on content, never on arrival order, so the order is a function of the set.
 * Isomorphic: no node:* and no DOM.
 */
import type { StepEvent } from './studio-event.js';

const TRIGGER_WIDGET = 'Trigger';

/** Code-unit order: unlike localeCompare it is the same on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface StepRecord {
  sid: string;
  event: StepEvent;
  from: string | null;
  to: string | null;
  parent: string | null;
  time: string | null;
  ms: number | null;
}

export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Min-heap of numbers (here: indexes into a sid-sorted group, so the smallest is the smallest sid). */
class MinHeap {
  private readonly items: number[] = [];
  push(value: number): void {
    const items = this.items;
    items.push(value);
    for (let i = items.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (items[up]! <= items[i]!) break;
      [items[up], items[i]] = [items[i]!, items[up]!];
      i = up;
    }
  }
  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let min = i;
      if (l < items.length && items[l]! < items[min]!) min = l;
      if (r < items.length && items[r]! < items[min]!) min = r;
      if (min === i) break;
      [items[min], items[i]] = [items[i]!, items[min]!];
      i = min;
    }
    return top;
  }
}

/**
 * Orders a group of siblings (sorted by sid) along the chain: after a step comes the step that
 * leaves the widget it went to; when the chain breaks, the smallest-sid step nothing in the group
 * leads to (a chain head); in a pure cycle, the smallest sid. `prevTo` is where the step before
 * the group went. Greedy, deterministic, O(g log g).
 */
function chainSort(group: readonly StepRecord[], prevTo: string | null): StepRecord[] {
  if (group.length <= 1) return [...group];
  const bySource = new Map<string, number[]>();
  const incoming = new Map<string, number>(); // unplaced steps (self-loops aside) leading to a widget
  group.forEach((step, index) => {
    if (step.from !== null) pushTo(bySource, step.from, index);
    if (step.to !== null && step.to !== step.from) incoming.set(step.to, (incoming.get(step.to) ?? 0) + 1);
  });
  const heads = new MinHeap();
  group.forEach((step, index) => {
    if (step.from === null || !incoming.get(step.from)) heads.push(index);
  });
  const placed = new Array<boolean>(group.length).fill(false);
  const cursor = new Map<string, number>();
  const nextLeaving = (widget: string | null): number | undefined => {
    const candidates = widget === null ? undefined : bySource.get(widget);
    if (widget === null || candidates === undefined) return undefined;
    let at = cursor.get(widget) ?? 0;
    while (at < candidates.length && placed[candidates[at]!]) at++;
    cursor.set(widget, at);
    return candidates[at];
  };
  const order: StepRecord[] = [];
  let smallestUnplaced = 0;
  let current = prevTo;
  while (order.length < group.length) {
    let next = nextLeaving(current);
    while (next === undefined) {
      const head = heads.pop();
      if (head === undefined) break;
      if (!placed[head]) next = head;
    }
    if (next === undefined) {
      while (placed[smallestUnplaced]) smallestUnplaced++;
      next = smallestUnplaced;
    }
    const step = group[next]!;
    placed[next] = true;
    order.push(step);
    if (step.to !== null && step.to !== step.from) {
      const left = (incoming.get(step.to) ?? 1) - 1;
      incoming.set(step.to, left);
      if (left === 0) for (const index of bySource.get(step.to) ?? []) if (!placed[index]) heads.push(index);
    }
    current = step.to;
  }
  return order;
}

/**
 * The time a step sorts by: its own, or for a step without one the latest time of a timed step it
 * can follow along the chain; a first step (from `Trigger`) with nothing before it sorts first,
 * any other step that cannot be placed sorts last.
 */
function sortTimes(level: readonly StepRecord[]): Map<StepRecord, number> {
  const result = new Map<StepRecord, number>();
  const untimedFrom = new Map<string, StepRecord[]>();
  for (const step of level) {
    if (step.ms !== null) result.set(step, step.ms);
    else if (step.from !== null) pushTo(untimedFrom, step.from, step);
  }
  const timed = level.filter((s) => s.ms !== null).sort((a, b) => b.ms! - a.ms!);
  for (const source of timed) {
    // widgets are visited once: the first (latest) source to reach a widget gives its time
    const widgets = [source.to];
    for (let widget = widgets.pop(); widget !== undefined; widget = widgets.pop()) {
      const followers = widget === null ? undefined : untimedFrom.get(widget);
      if (widget === null || followers === undefined) continue;
      untimedFrom.delete(widget);
      for (const step of followers) {
        result.set(step, source.ms!);
        widgets.push(step.to);
      }
    }
  }
  for (const step of level) {
    if (!result.has(step)) result.set(step, step.from === TRIGGER_WIDGET ? -Infinity : Infinity);
  }
  return result;
}

/** One level of sibling steps in order: by time, then along the transition chain, then by sid. */
export function orderLevel(level: readonly StepRecord[]): StepRecord[] {
  const times = sortTimes(level);
  const timeOf = (step: StepRecord): number => times.get(step)!;
  const sorted = [...level].sort((a, b) =>
    timeOf(a) < timeOf(b) ? -1 : timeOf(a) > timeOf(b) ? 1 : compareText(a.sid, b.sid),
  );
  const order: StepRecord[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start + 1;
    while (end < sorted.length && timeOf(sorted[end]!) === timeOf(sorted[start]!)) end++;
    order.push(...chainSort(sorted.slice(start, end), order.at(-1)?.to ?? null));
    start = end;
  }
  return order;
}

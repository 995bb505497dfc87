/**
 * The execution-tree projection: all events of one Studio execution -> its summary and ordered,
 * nested steps. Pure and isomorphic (no node:*, no DOM).
 *
 * Invariants (DESIGN.md section 4; Event Streams delivers at least once and unordered):
 * - The result is a function of the SET of events: any order, any duplication gives a deep-equal
 *   tree. Hence every choice below has a total, content-based tie-break and no output ever follows
 *   input or Map insertion order:
 *   - one CloudEvent id seen with two bodies keeps the body whose canonical JSON sorts first;
 *   - one step_sid seen under two event ids (a redelivery) keeps the event with the smallest id;
 *   - several `started` / `ended` events: the one with the smallest id.
 * - Every distinct step appears exactly once: a subflow step nests under its parent step when that
 *   step is present, otherwise (parent not arrived yet, a malformed parent cycle, or nesting deeper
 *   than MAX_NESTING_DEPTH) it is shown at the top level rather than dropped. The cap keeps hostile
 *   input (an import file) from building a tree too deep to serialize or render; no recursion here.
 * - Siblings are ordered by time; equal times, and missing times (placed after the latest step they
 *   can follow), are ordered by the transitioned_from -> transitioned_to chain, then by step_sid.
 * - O(n log n) in the number of events.
 */
import type { ExecutionStatus, ExecutionSummary, ExecutionTree, FlowSummary, StepNode } from './execution-model.js';
import { executionSidOf, normalizeTime, type ExecutionEvent, type StepEvent, type StudioEvent } from './studio-event.js';
import { compareText, orderLevel, pushTo, type StepRecord } from './step-order.js';

export { compareText };

/** Transition names that mean the widget failed (`fail`, `failed`, `error`, `callFailed`, `deliveryFailure`...). */
const FAILURE_TRANSITION = /fail|error/i;
const NORMAL_END_REASON = 'FLOW_END';
const ENDED_WIDGET = 'ended';
/** Real subflows nest a few levels; a step deeper than this is shown at the top level. */
export const MAX_NESTING_DEPTH = 64;

export function isFailureTransition(name: string | null | undefined): boolean {
  return typeof name === 'string' && FAILURE_TRANSITION.test(name);
}

/** A missing / empty ended_reason or FLOW_END (any case) is a normal end. */
export function isNormalEndReason(reason: string | null | undefined): boolean {
  const text = reason?.trim() ?? '';
  return text === '' || text.toUpperCase() === NORMAL_END_REASON;
}

const textOrNull = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
const msOf = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

function canonicalJson(value: unknown): string {
  const sortKeys = (_key: string, v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => compareText(a, b)))
      : v;
  return JSON.stringify(value, sortKeys) ?? '';
}

/** One event per id; a collision with a different body keeps the body whose canonical JSON sorts first. */
function distinctById(events: readonly StudioEvent[]): StudioEvent[] {
  const byId = new Map<string, StudioEvent>();
  for (const event of events) {
    const seen = byId.get(event.id);
    if (seen === undefined) byId.set(event.id, event);
    else if (seen !== event && compareText(canonicalJson(event.raw), canonicalJson(seen.raw)) < 0) byId.set(event.id, event);
  }
  return [...byId.values()].sort((a, b) => compareText(a.id, b.id));
}

function stepRecord(event: StepEvent): StepRecord {
  const time = normalizeTime(event.data.date_created) ?? event.time;
  return {
    sid: event.data.step_sid,
    event,
    from: textOrNull(event.data.transitioned_from),
    to: textOrNull(event.data.transitioned_to),
    parent: textOrNull(event.data.parent_step_sid),
    time,
    ms: msOf(time),
  };
}

/**
 * Children by parent sid and the top level. A parent cycle is broken at its smallest sid; a step
 * deeper than MAX_NESTING_DEPTH starts a new top-level subtree.
 */
function nest(steps: readonly StepRecord[]): { roots: StepRecord[]; childrenOf: Map<string, StepRecord[]> } {
  const bySid = new Map(steps.map((s) => [s.sid, s]));
  const declared = (s: StepRecord): string | null => (s.parent !== null && s.parent !== s.sid && bySid.has(s.parent) ? s.parent : null);
  const parentOf = new Map<string, string | null>();
  for (const start of steps) {
    const path: StepRecord[] = [];
    const onPath = new Map<string, number>();
    for (let cur: StepRecord | undefined = start; cur !== undefined && !parentOf.has(cur.sid); ) {
      const seenAt = onPath.get(cur.sid);
      if (seenAt !== undefined) {
        const cycle = path.slice(seenAt).sort((a, b) => compareText(a.sid, b.sid));
        parentOf.set(cycle[0]!.sid, null);
        break;
      }
      onPath.set(cur.sid, path.length);
      path.push(cur);
      const parent = declared(cur);
      cur = parent === null ? undefined : bySid.get(parent);
    }
    for (const s of path) if (!parentOf.has(s.sid)) parentOf.set(s.sid, declared(s));
  }
  const declaredChildren = new Map<string, StepRecord[]>();
  for (const s of steps) {
    const parent = parentOf.get(s.sid) ?? null;
    if (parent !== null) pushTo(declaredChildren, parent, s);
  }
  const roots = steps.filter((s) => (parentOf.get(s.sid) ?? null) === null);
  const childrenOf = new Map<string, StepRecord[]>();
  const queue: Array<[StepRecord, number]> = roots.map((s) => [s, 0]);
  for (let i = 0; i < queue.length; i++) {
    const [step, depth] = queue[i]!;
    for (const child of declaredChildren.get(step.sid) ?? []) {
      if (depth + 1 > MAX_NESTING_DEPTH) roots.push(child);
      else pushTo(childrenOf, step.sid, child);
      queue.push([child, depth + 1 > MAX_NESTING_DEPTH ? 0 : depth + 1]);
    }
  }
  return { roots, childrenOf };
}

/**
 * The nodes, level by level with an explicit work list (no recursion). A step's duration runs
 * from the previous timed sibling (or the level's start); a subflow's level starts when its parent
 * step started.
 */
function buildNodes(roots: readonly StepRecord[], childrenOf: Map<string, StepRecord[]>, startMs: number | null): StepNode[] {
  const top: StepNode[] = [];
  const work = [{ level: roots, baselineMs: startMs, into: top }];
  for (let job = work.pop(); job !== undefined; job = work.pop()) {
    let previousMs = job.baselineMs;
    for (const s of orderLevel(job.level)) {
      const data = s.event.data;
      const node: StepNode = {
        stepSid: s.sid,
        executionSid: data.execution_sid,
        flowSid: data.flow_sid,
        name: textOrNull(data.name),
        widget: s.from,
        transitionedTo: s.to,
        parentStepSid: s.parent,
        time: s.time,
        sinceStartMs: s.ms !== null && startMs !== null ? s.ms - startMs : null,
        durationMs: s.ms !== null && previousMs !== null ? s.ms - previousMs : null,
        eventId: s.event.id,
        children: [],
      };
      job.into.push(node);
      const children = childrenOf.get(s.sid);
      if (children !== undefined) work.push({ level: children, baselineMs: previousMs, into: node.children });
      if (s.ms !== null) previousMs = s.ms;
    }
  }
  return top;
}

function revisionOf(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return null;
}

const belongsTo = (executionSid: string) => (event: StudioEvent): boolean => {
  const sid = executionSidOf(event);
  return sid === null || sid === executionSid;
};

/** Builds the tree of ONE execution from all its events (see the invariants above). */
export function buildExecutionTree(events: readonly StudioEvent[]): ExecutionTree {
  const distinct = distinctById(events);
  // the input should be one execution; should it not be, the smallest execution sid wins
  const executionSid = distinct
    .map(executionSidOf)
    .reduce<string | null>((min, sid) => (sid === null || (min !== null && compareText(min, sid) <= 0) ? min : sid), null) ?? '';
  const own = distinct.filter(belongsTo(executionSid));
  // `own` is sorted by id: the first of a kind has the smallest id
  const started = own.find((e): e is ExecutionEvent => e.kind === 'execution.started') ?? null;
  const ended = own.find((e): e is ExecutionEvent => e.kind === 'execution.ended') ?? null;

  const stepBySid = new Map<string, StepRecord>();
  for (const event of own) {
    // a step redelivered under another event id: the smallest id wins
    if (event.kind === 'step.ended' && !stepBySid.has(event.data.step_sid)) stepBySid.set(event.data.step_sid, stepRecord(event));
  }
  const steps = [...stepBySid.values()].sort((a, b) => compareText(a.sid, b.sid));

  const allMs = [...own.map((e) => msOf(e.time)), ...steps.map((s) => s.ms)].filter((ms): ms is number => ms !== null);
  const earliestMs = allMs.length > 0 ? allMs.reduce((a, b) => Math.min(a, b)) : null;
  const startedAt =
    normalizeTime(started?.data.date_created) ??
    started?.time ??
    // an ended event carries the execution's own date_created too
    normalizeTime(ended?.data.date_created) ??
    (earliestMs === null ? null : new Date(earliestMs).toISOString());
  const endedAt = ended === null ? null : (normalizeTime(ended.data.date_updated) ?? ended.time);
  const startMs = msOf(startedAt);
  const endMs = msOf(endedAt);
  const latestMs = [...allMs, startMs ?? -Infinity, endMs ?? -Infinity].reduce((a, b) => Math.max(a, b));

  const { roots, childrenOf } = nest(steps);
  const tree = buildNodes(roots, childrenOf, startMs);
  const last = tree.at(-1) ?? null;
  const firstRoot = tree[0] === undefined ? undefined : stepBySid.get(tree[0].stepSid)?.event.data;
  const endedReason = textOrNull(ended?.data.ended_reason);
  const failed = !isNormalEndReason(endedReason) || isFailureTransition(last?.name);
  const status: ExecutionStatus = ended === null ? 'active' : failed ? 'failed' : 'ended';
  const pick = <K extends 'account_sid' | 'contact_channel_address' | 'started_by'>(key: K): string | null =>
    textOrNull(started?.data[key]) ?? textOrNull(ended?.data[key]);

  return {
    summary: {
      executionSid,
      flowSid: textOrNull(started?.data.flow_sid) ?? textOrNull(ended?.data.flow_sid) ?? firstRoot?.flow_sid ?? '',
      accountSid: pick('account_sid') ?? textOrNull(firstRoot?.account_sid),
      status,
      endedReason,
      contact: pick('contact_channel_address'),
      startedBy: pick('started_by'),
      flowRevision:
        revisionOf(started?.data.flow_revision) ?? revisionOf(ended?.data.flow_revision) ?? revisionOf(firstRoot?.flow_revision),
      startedAt,
      endedAt,
      lastEventAt: Number.isFinite(latestMs) ? new Date(latestMs).toISOString() : null,
      durationMs: startMs !== null && endMs !== null ? endMs - startMs : null,
      stepCount: steps.length,
      currentWidget:
        ended === null && last !== null && last.transitionedTo?.toLowerCase() !== ENDED_WIDGET
          ? last.transitionedTo
          : null,
      lastWidget: last?.widget ?? null,
      seenStarted: started !== null,
      seenEnded: ended !== null,
      // both ends of every transition, so a search finds the widget an execution waits in
      widgets: [...new Set(steps.flatMap((s) => [s.from, s.to]).filter((w): w is string => w !== null && w !== 'Ended'))].sort(compareText),
      eventCount: own.length,
    },
    steps: tree,
  };
}

/** Per-flow counts, most recently active flow first (then by flow sid). Expects each execution once. */
export function summarizeFlows(summaries: readonly ExecutionSummary[]): FlowSummary[] {
  const byFlow = new Map<string, FlowSummary>();
  for (const s of summaries) {
    const flow = byFlow.get(s.flowSid) ?? { flowSid: s.flowSid, active: 0, ended: 0, failed: 0, total: 0, lastEventAt: null };
    flow[s.status] += 1;
    flow.total += 1;
    flow.lastEventAt = laterTime(flow.lastEventAt, s.lastEventAt);
    byFlow.set(s.flowSid, flow);
  }
  return [...byFlow.values()].sort(
    (a, b) => compareTimesDesc(a.lastEventAt, b.lastEventAt) || compareText(a.flowSid, b.flowSid),
  );
}

function laterTime(a: string | null, b: string | null): string | null {
  if (a === null || b === null) return a ?? b;
  return compareTimesDesc(a, b) <= 0 ? a : b;
}

/** Latest first, null last; equal instants written differently fall back to text order. */
function compareTimesDesc(a: string | null, b: string | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const diff = (Date.parse(b) || 0) - (Date.parse(a) || 0);
  return diff !== 0 ? diff : compareText(b, a);
}

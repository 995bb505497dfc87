import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildExecutionTree,
  compareText,
  isFailureTransition,
  isNormalEndReason,
  MAX_NESTING_DEPTH,
  summarizeFlows,
} from '../../src/shared/execution-tree.js';
import type { ExecutionSummary, StepNode } from '../../src/shared/execution-model.js';
import {
  at,
  DEFAULTS,
  executionEnded,
  executionScenario,
  executionStarted,
  ivrScenario,
  messagingScenario,
  parseAll,
  sid,
  sinkTestEvent,
  stepEnded,
  type WireEvent,
} from './studio-fixtures.js';

const tree = (events: readonly WireEvent[]) => buildExecutionTree(parseAll(events));
const flatten = (nodes: readonly StepNode[]): StepNode[] => nodes.flatMap((n) => [n, ...flatten(n.children)]);
const widgetsOf = (nodes: readonly StepNode[]) => nodes.map((n) => n.widget);

describe('buildExecutionTree: a voice IVR with a subflow', () => {
  const ivr = ivrScenario();
  const result = tree(ivr.events);

  it('orders the top level along time and chain and nests the subflow steps', () => {
    expect(widgetsOf(result.steps)).toEqual(['Trigger', 'gather_menu', 'split_digits', 'say_hours', 'run_survey']);
    const subflow = result.steps[4]!;
    expect(subflow.name).toBe('completed');
    expect(widgetsOf(subflow.children)).toEqual(['Trigger', 'gather_rating']);
    expect(subflow.children.every((c) => c.parentStepSid === subflow.stepSid)).toBe(true);
  });

  it('times each step from the previous one, and a subflow from its parent step start', () => {
    expect(result.steps.map((s) => s.durationMs)).toEqual([0, 6_000, 0, 6_000, 9_000]);
    expect(result.steps.map((s) => s.sinceStartMs)).toEqual([0, 6_000, 6_000, 12_000, 21_000]);
    const children = result.steps[4]!.children;
    expect(children.map((c) => c.durationMs)).toEqual([0, 8_000]);
    expect(children.map((c) => c.sinceStartMs)).toEqual([12_000, 20_000]);
  });

  it('summarizes the execution', () => {
    expect(result.summary).toEqual<ExecutionSummary>({
      executionSid: ivr.executionSid,
      flowSid: DEFAULTS.flowSid,
      accountSid: DEFAULTS.accountSid,
      status: 'ended',
      endedReason: 'FLOW_END',
      contact: DEFAULTS.contact,
      startedBy: DEFAULTS.startedBy,
      flowRevision: 3,
      startedAt: at(0),
      endedAt: at(21_000),
      lastEventAt: at(21_000),
      durationMs: 21_000,
      stepCount: 7,
      currentWidget: null,
      lastWidget: 'run_survey',
      seenStarted: true,
      seenEnded: true,
      widgets: ['Trigger', 'gather_menu', 'gather_rating', 'run_survey', 'say_hours', 'split_digits'],
      eventCount: 9,
    });
  });

  it('follows the chain, not the sids, for steps with the same time', () => {
    const [gather, split] = [sid('FT', 9), sid('FT', 1)]; // sid order is the reverse of the chain
    const s = executionScenario({
      steps: [
        { sid: sid('FT', 5), from: 'Trigger', to: 'gather', name: 'incomingCall', atMs: 0 },
        { sid: gather, from: 'gather', to: 'split', name: 'keypress', atMs: 3_000 },
        { sid: split, from: 'split', to: 'say', name: 'match', atMs: 3_000 },
        { sid: sid('FT', 0), from: 'say', to: 'Ended', name: 'audioComplete', atMs: 3_000 },
      ],
    });
    expect(widgetsOf(tree(s.events).steps)).toEqual(['Trigger', 'gather', 'split', 'say']);
  });

  it('starts a same-second run at its chain head (Trigger), whatever the sids', () => {
    const s = executionScenario({
      steps: [
        { sid: sid('FT', 9), from: 'Trigger', to: 'set_vars', name: 'incomingRequest', atMs: 0 },
        { sid: sid('FT', 1), from: 'set_vars', to: 'send_reply', name: 'next', atMs: 0 },
        { sid: sid('FT', 5), from: 'send_reply', to: 'Ended', name: 'sent', atMs: 0 },
      ],
    });
    expect(widgetsOf(tree(s.events).steps)).toEqual(['Trigger', 'set_vars', 'send_reply']);
  });

  it('keeps loops (a widget visited twice) in time order', () => {
    const s = executionScenario({
      steps: [
        { from: 'Trigger', to: 'menu', name: 'incomingCall', atMs: 0 },
        { from: 'menu', to: 'split', name: 'keypress', atMs: 1_000 },
        { from: 'split', to: 'menu', name: 'noMatch', atMs: 1_000 },
        { from: 'menu', to: 'split', name: 'keypress', atMs: 5_000 },
        { from: 'split', to: 'Ended', name: 'match', atMs: 5_000 },
      ],
      ended: { atMs: 5_000 },
    });
    const steps = tree(s.events).steps;
    expect(steps.map((n) => n.stepSid)).toEqual(s.stepSids);
    expect(tree(s.events).summary.widgets).toEqual(['Trigger', 'menu', 'split']);
  });
});

describe('buildExecutionTree: live and unusual executions', () => {
  it('shows a messaging flow waiting for a reply as active, in the widget it went to', () => {
    const { summary, steps } = tree(messagingScenario().events);
    expect(summary).toMatchObject({
      status: 'active',
      currentWidget: 'ask_order_number',
      lastWidget: 'send_greeting',
      contact: 'whatsapp:+15005550006',
      endedAt: null,
      durationMs: null,
      seenEnded: false,
      stepCount: 2,
    });
    expect(steps.map((s) => s.durationMs)).toEqual([0, 800]);
  });

  it('reads a non-FLOW_END reason, or a last step that left through a failure, as failed', () => {
    const base = [
      { from: 'Trigger', to: 'http_lookup', name: 'incomingCall', atMs: 0 },
      { from: 'http_lookup', to: 'Ended', name: 'failed', atMs: 2_000 },
    ];
    expect(tree(executionScenario({ steps: base, ended: { atMs: 2_000 } }).events).summary.status).toBe('failed');
    const ok = [base[0]!, { ...base[1]!, name: 'success' }];
    expect(tree(executionScenario({ steps: ok, ended: { atMs: 2_000 } }).events).summary.status).toBe('ended');
    const api = tree(executionScenario({ steps: ok, ended: { atMs: 2_000, reason: 'API' } }).events).summary;
    expect(api).toMatchObject({ status: 'failed', endedReason: 'API' });
    expect(tree(executionScenario({ steps: ok, ended: { atMs: 2_000, reason: null } }).events).summary.status).toBe('ended');
    expect(tree(executionScenario({ steps: ok, ended: { atMs: 2_000, reason: 'flow_end' } }).events).summary.status).toBe('ended');
    // a failure transition alone does not end an execution
    expect(tree(executionScenario({ steps: base }).events).summary.status).toBe('active');
  });

  it('builds a tree from a step that arrived before `started`, then adopts started', () => {
    const ivr = ivrScenario();
    const early = tree([ivr.steps[1]!]);
    expect(early.summary).toMatchObject({ seenStarted: false, startedAt: at(6_000), stepCount: 1, currentWidget: 'split_digits' });
    expect(early.steps[0]!.durationMs).toBe(0);
    const later = tree([ivr.steps[1]!, ivr.started]);
    expect(later.summary).toMatchObject({ seenStarted: true, startedAt: at(0) });
    expect(later.steps[0]!.durationMs).toBe(6_000);
  });

  it('handles an `ended` that arrived before the last steps', () => {
    const ivr = ivrScenario();
    const early = tree([ivr.ended!, ...ivr.steps.slice(0, 2)]);
    expect(early.summary).toMatchObject({ status: 'ended', currentWidget: null, stepCount: 2, lastWidget: 'gather_menu' });
    // the ended event's date_created is the execution's start even without `started`
    expect(early.summary.startedAt).toBe(at(0));
    expect(tree([ivr.ended!, ...ivr.steps, ivr.started])).toStrictEqual(tree(ivr.events));
  });

  it('shows subflow steps at the top level until their parent step arrives', () => {
    const ivr = ivrScenario();
    const withoutParent = ivr.steps.slice(0, 6);
    const early = tree([ivr.started, ...withoutParent]);
    expect(widgetsOf(early.steps)).toEqual(['Trigger', 'gather_menu', 'split_digits', 'say_hours', 'Trigger', 'gather_rating']);
    // the subflow's last step went to Ended: nothing to point at until the parent step arrives
    expect(early.summary.currentWidget).toBeNull();
    expect(flatten(tree(ivr.events).steps)).toHaveLength(7);
  });

  it('counts a redelivered event once and keeps one step per step_sid (smallest event id)', () => {
    const step = stepEnded({ id: 'EZ-b' });
    const again = stepEnded({ id: 'EZ-a', data: { date_created: at(5) } });
    const result = tree([step, step, again, executionStarted()]);
    expect(result.summary).toMatchObject({ stepCount: 1, eventCount: 3 });
    expect(result.steps[0]!).toMatchObject({ eventId: 'EZ-a', time: at(5) });
  });

  it('places a step without a time after the step it follows', () => {
    const s = executionScenario({
      steps: [
        { sid: sid('FT', 1), from: 'Trigger', to: 'gather', name: 'incomingCall', atMs: 0 },
        { sid: sid('FT', 2), from: 'gather', to: 'say', name: 'keypress', atMs: null },
        { sid: sid('FT', 3), from: 'say', to: 'Ended', name: 'audioComplete', atMs: 4_000 },
        { sid: sid('FT', 0), from: 'nowhere', to: 'Ended', name: 'x', atMs: null },
      ],
    });
    const steps = tree(s.events).steps;
    expect(widgetsOf(steps)).toEqual(['Trigger', 'gather', 'say', 'nowhere']);
    expect(steps.map((n) => n.durationMs)).toEqual([0, null, 4_000, null]);
  });

  it('breaks a parent cycle instead of losing steps', () => {
    const [a, b] = [sid('FT', 1), sid('FT', 2)];
    const events = [
      stepEnded({ data: { step_sid: a, parent_step_sid: b } }),
      stepEnded({ data: { step_sid: b, parent_step_sid: a, date_created: at(1) } }),
      stepEnded({ data: { step_sid: sid('FT', 3), parent_step_sid: sid('FT', 3), date_created: at(2) } }),
    ];
    const { steps } = tree(events);
    expect(steps.map((s) => s.stepSid)).toEqual([a, sid('FT', 3)]);
    expect(steps[0]!.children.map((s) => s.stepSid)).toEqual([b]);
  });

  it('starts a new top-level subtree past MAX_NESTING_DEPTH (hostile input), losing no step', () => {
    const count = 3 * (MAX_NESTING_DEPTH + 1) + 5;
    const chain = Array.from({ length: count }, (_, i) => ({
      sid: sid('FT', `deep|${i}`),
      parentSid: i === 0 ? undefined : sid('FT', `deep|${i - 1}`),
      from: 'run_subflow',
      to: 'Ended',
      name: 'completed',
      atMs: i,
    }));
    const { steps, summary } = tree(executionScenario({ steps: chain }).events);
    expect(steps.map((s) => s.stepSid)).toEqual([0, 1, 2, 3].map((k) => chain[k * (MAX_NESTING_DEPTH + 1)]!.sid));
    expect(flatten(steps)).toHaveLength(count);
    expect(summary.stepCount).toBe(count);
  });

  it('reads flow_revision as a number or numeric string, and ignores other executions', () => {
    const started = executionStarted({ data: { flow_revision: '12' } });
    const stranger = stepEnded({ data: { execution_sid: sid('FN', 99), step_sid: sid('FT', 99) } });
    const result = tree([started, stranger, sinkTestEvent()]);
    expect(result.summary).toMatchObject({ flowRevision: 12, stepCount: 0, eventCount: 2 });
    expect(tree([executionStarted({ data: { flow_revision: 'v2' } })]).summary.flowRevision).toBeNull();
  });

  it('returns an empty active tree for no events', () => {
    expect(buildExecutionTree([])).toMatchObject({ steps: [], summary: { executionSid: '', status: 'active', stepCount: 0 } });
  });
});

describe('helpers', () => {
  it('recognizes failure transitions and normal end reasons', () => {
    for (const name of ['fail', 'failed', 'Failed', 'error', 'callFailed', 'deliveryFailure', 'failedToEnqueue'])
      expect(isFailureTransition(name)).toBe(true);
    for (const name of ['success', 'keypress', 'timeout', 'completed', null, undefined]) expect(isFailureTransition(name)).toBe(false);
    expect([null, undefined, '', 'FLOW_END', 'flow_end'].every(isNormalEndReason)).toBe(true);
    expect(isNormalEndReason('API')).toBe(false);
  });

  it('compares text by code unit, not locale', () => {
    expect(['b', 'B', 'a', 'A'].sort(compareText)).toEqual(['A', 'B', 'a', 'b']);
  });

  it('summarizes flows, most recently active first', () => {
    const summary = (flowSid: string, status: ExecutionSummary['status'], lastEventAt: string | null) =>
      ({ ...tree(ivrScenario().events).summary, flowSid, status, lastEventAt }) satisfies ExecutionSummary;
    const flows = summarizeFlows([
      summary('FW-a', 'active', at(1_000)),
      summary('FW-b', 'failed', at(5_000)),
      summary('FW-a', 'ended', at(9_000)),
      summary('FW-a', 'failed', null),
      summary('FW-c', 'ended', null),
    ]);
    expect(flows).toEqual([
      { flowSid: 'FW-a', active: 1, ended: 1, failed: 1, total: 3, lastEventAt: at(9_000) },
      { flowSid: 'FW-b', active: 0, ended: 0, failed: 1, total: 1, lastEventAt: at(5_000) },
      { flowSid: 'FW-c', active: 0, ended: 1, failed: 0, total: 1, lastEventAt: null },
    ]);
  });
});

/**
 * Generated executions built to collide: few widget names (loops, ambiguous chains), few distinct
 * times (ties) and missing times, step sids and event ids drawn from small ranges (one step_sid under
 * several ids, one id with several bodies), parents that are missing, self or cyclic.
 */
const arbStep = fc.record({
  stepKey: fc.nat(12),
  idKey: fc.nat(24),
  from: fc.constantFrom('Trigger', 'menu', 'split', 'say'),
  to: fc.constantFrom('menu', 'split', 'say', 'Ended'),
  name: fc.constantFrom('keypress', 'match', 'failed', 'timeout'),
  atMs: fc.option(fc.constantFrom(0, 1_000, 2_000, 3_000), { nil: null, freq: 4 }),
  parentKey: fc.option(fc.nat(14), { nil: null }),
});
const arbExecution = fc.record({
  steps: fc.array(arbStep, { maxLength: 14 }),
  started: fc.option(fc.constantFrom(0, 500), { nil: null }),
  ended: fc.option(fc.record({ atMs: fc.constantFrom(0, 3_000, 4_000), reason: fc.constantFrom('FLOW_END', null, 'API') }), { nil: null }),
  sinkTest: fc.boolean(),
});

type GeneratedExecution = typeof arbExecution extends fc.Arbitrary<infer T> ? T : never;

function wireEvents(execution: GeneratedExecution): WireEvent[] {
  const events: WireEvent[] = execution.steps.map((s) =>
    stepEnded({
      id: sid('EZ', s.idKey),
      time: s.atMs === null ? null : at(s.atMs),
      data: {
        step_sid: sid('FT', s.stepKey),
        transitioned_from: s.from,
        transitioned_to: s.to,
        name: s.name,
        date_created: s.atMs === null ? undefined : at(s.atMs),
        parent_step_sid: s.parentKey === null ? null : sid('FT', s.parentKey),
      },
    }),
  );
  if (execution.started !== null) events.push(executionStarted({ data: { date_created: at(execution.started) } }));
  if (execution.ended !== null)
    events.push(executionEnded({ data: { date_updated: at(execution.ended.atMs), ended_reason: execution.ended.reason } }));
  if (execution.sinkTest) events.push(sinkTestEvent());
  return events;
}

/** The events, and the same set delivered again: shuffled, with duplicates (fresh copies). */
const arbDeliveries = arbExecution.chain((execution) => {
  const events = wireEvents(execution);
  if (events.length === 0) return fc.constant({ events, redelivered: events });
  return fc
    .array(fc.constantFrom(...events), { maxLength: 8 })
    .chain((dups) => fc.shuffledSubarray([...events, ...dups], { minLength: events.length + dups.length }))
    .map((redelivered) => ({ events, redelivered: structuredClone(redelivered) }));
});

const levels = (nodes: readonly StepNode[]): StepNode[][] => [nodes as StepNode[], ...nodes.flatMap((n) => levels(n.children))];

describe('buildExecutionTree properties', () => {
  it('is a function of the set of events: order and duplication do not matter', () => {
    fc.assert(
      fc.property(arbDeliveries, ({ events, redelivered }) => {
        expect(tree(redelivered)).toStrictEqual(tree(events));
      }),
      { numRuns: 300 },
    );
  });

  it('shows every distinct step exactly once, and children only under their parent', () => {
    fc.assert(
      fc.property(arbDeliveries, ({ redelivered }) => {
        const result = tree(redelivered);
        const all = flatten(result.steps);
        const shown = all.map((n) => n.stepSid);
        const steps = parseAll(redelivered).flatMap((e) => (e.kind === 'step.ended' ? [e] : []));
        // an event id seen with two different bodies keeps one of them: only uncontested ones must show
        const bodies = new Map<string, Set<string>>();
        for (const e of steps) bodies.set(e.id, (bodies.get(e.id) ?? new Set()).add(JSON.stringify(e.raw)));
        const uncontested = new Set(steps.filter((e) => bodies.get(e.id)!.size === 1).map((e) => e.data.step_sid));
        expect(new Set(shown).size).toBe(shown.length);
        expect(shown.every((s) => steps.some((e) => e.data.step_sid === s))).toBe(true);
        expect([...uncontested].every((s) => shown.includes(s))).toBe(true);
        expect(result.summary.stepCount).toBe(shown.length);
        for (const node of all) for (const child of node.children) expect(child.parentStepSid).toBe(node.stepSid);
        const parentOf = new Map(all.map((n) => [n.stepSid, n.parentStepSid]));
        for (const root of result.steps) {
          if (root.parentStepSid === null || !parentOf.has(root.parentStepSid)) continue;
          // a root whose parent is present must sit on a parent cycle (broken at its smallest sid)
          let cur: string | null | undefined = root.parentStepSid;
          for (let i = 0; i < all.length && cur !== root.stepSid && cur != null; i++) cur = parentOf.get(cur);
          expect(cur).toBe(root.stepSid);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the timed steps of each level in time order', () => {
    fc.assert(
      fc.property(arbDeliveries, ({ events }) => {
        for (const level of levels(tree(events).steps)) {
          const times = level.flatMap((n) => (n.time === null ? [] : [Date.parse(n.time)]));
          expect(times).toEqual([...times].sort((a, b) => a - b));
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** Builders of contract values for renderer tests. */
import type { ReceiverInfo, Stats, StoredEventRecord } from '../../src/shared/contract.js';
import type { ExecutionSummary, StepNode } from '../../src/shared/execution-model.js';

export const T0 = Date.parse('2025-03-04T10:00:00.000Z');
export const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

export function makeSummary(partial: Partial<ExecutionSummary> & { executionSid: string }): ExecutionSummary {
  return {
    flowSid: 'FW00000000000000000000000000000001',
    accountSid: 'AC00000000000000000000000000000001',
    status: 'ended',
    endedReason: 'FLOW_END',
    contact: '+15550001111',
    startedBy: 'CA00000000000000000000000000000001',
    flowRevision: 3,
    startedAt: iso(0),
    endedAt: iso(60_000),
    lastEventAt: iso(60_000),
    durationMs: 60_000,
    stepCount: 2,
    currentWidget: null,
    lastWidget: 'say_goodbye',
    seenStarted: true,
    seenEnded: true,
    widgets: ['trigger', 'say_goodbye'],
    eventCount: 4,
    ...partial,
  };
}

export function makeStats(partial: Partial<Stats> = {}): Stats {
  return {
    storedEvents: 0,
    executions: 0,
    receivedEvents: 0,
    eventsPerSecond: 0,
    duplicatesIgnored: 0,
    rejectedEvents: 0,
    unverifiedRequests: 0,
    badRequests: 0,
    otherEvents: 0,
    lastSinkTest: null,
    ...partial,
  };
}

export function makeReceiver(partial: Partial<ReceiverInfo> = {}): ReceiverInfo {
  return { localUrl: 'http://127.0.0.1:4040/events', publicUrl: null, verifying: false, ...partial };
}

export function makeStep(partial: Partial<StepNode> & { stepSid: string; widget: string }): StepNode {
  return {
    executionSid: 'FN00000000000000000000000000000001',
    flowSid: 'FW00000000000000000000000000000001',
    name: 'next',
    transitionedTo: 'Ended',
    parentStepSid: null,
    time: iso(1_000),
    sinceStartMs: 1_000,
    durationMs: 1_000,
    eventId: `ev-${partial.stepSid}`,
    children: [],
    ...partial,
  };
}

export function stepEvent(step: StepNode, extraData: Record<string, unknown> = {}): StoredEventRecord {
  return {
    id: step.eventId,
    type: 'com.twilio.studio.flow.step.ended',
    kind: 'step.ended',
    time: step.time,
    receivedAt: step.time ?? iso(0),
    event: {
      specversion: '1.0',
      id: step.eventId,
      type: 'com.twilio.studio.flow.step.ended',
      source: 'https://studio.twilio.com',
      data: { step_sid: step.stepSid, transitioned_from: step.widget, transitioned_to: step.transitionedTo, ...extraData },
    },
  };
}

/** A sid of the right shape from a number (FN + 32 hex digits). */
export function sidOf(prefix: string, n: number): string {
  return `${prefix}${n.toString(16).padStart(32, '0')}`;
}

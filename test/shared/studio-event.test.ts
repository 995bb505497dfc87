import { describe, expect, it } from 'vitest';
import {
  executionSidOf,
  flowSidOf,
  MAX_EVENT_ID_LENGTH,
  normalizeTime,
  parseDelivery,
  parseStudioEvent,
  type StudioEvent,
} from '../../src/shared/studio-event.js';
import { DEFAULTS, executionStarted, SCHEMA_V1, SCHEMA_V2, sid, sinkTestEvent, stepEnded } from './studio-fixtures.js';

function accepted(input: unknown): StudioEvent {
  const result = parseStudioEvent(input);
  if (!result.ok) throw new Error(`expected the event to parse: ${result.reason}`);
  return result.event;
}

function rejected(input: unknown): { reason: string; id: string | null } {
  const result = parseStudioEvent(input);
  if (result.ok) throw new Error('expected the event to be rejected');
  return result;
}

/** Shaped like the example on Twilio's Studio event-types page: a timestamp in datacontenttype, no time. */
const documentedExample = {
  specversion: '1.0',
  type: 'com.twilio.studio.flow.execution.ended',
  source: 'AB00000000000000000000000001',
  id: 'NO00000000000000000000000001',
  dataschema: 'https://events-schemas.twilio.com/Studio.FlowExecutionEvent/2',
  datacontenttype: '2025-10-08T07:17:02.363Z',
  data: {
    execution_sid: 'FN0000000000000000000000000000001',
    account_sid: 'AC0000000000000000000000000000001',
    flow_sid: 'FW0000000000000000000000000000001',
    contact_channel_address: '+11234567890',
    status: 'ended',
    ended_reason: 'FLOW_END',
    date_created: '2025-01-01T00:00:00.000Z',
    date_updated: '2025-01-01T00:00:01.000Z',
    started_by: 'CA0000000000000000000000000000001',
    flow_revision: 1196,
  },
};

describe('parseStudioEvent', () => {
  it("accepts Twilio's documented example and takes an ended event's time from date_updated", () => {
    const event = accepted(documentedExample);
    expect(event).toMatchObject({ kind: 'execution.ended', id: documentedExample.id, time: '2025-01-01T00:00:01.000Z' });
    expect(event.kind === 'execution.ended' && event.data).toMatchObject({ ended_reason: 'FLOW_END', flow_revision: 1196 });
    expect(event.raw).toEqual(documentedExample);
  });

  it('falls back to a timestamp in datacontenttype when nothing else dates the event', () => {
    const other = { ...documentedExample, type: 'com.twilio.voice.status-callback.call.ringing', data: { call_sid: 'CA1' } };
    expect(accepted(other)).toMatchObject({ kind: 'other', time: '2025-10-08T07:17:02.363Z' });
    expect(accepted({ ...other, datacontenttype: 'application/json' }).time).toBeNull();
  });

  it('reads v1 and v2 dataschema alike', () => {
    const v1 = accepted(executionStarted({ dataschema: SCHEMA_V1 }));
    const v2 = accepted(executionStarted({ dataschema: SCHEMA_V2, id: 'other-id' }));
    expect(v1.kind).toBe('execution.started');
    expect(v1.kind === 'execution.started' && v2.kind === 'execution.started' && v1.data).toEqual(
      v2.kind === 'execution.started' && v2.data,
    );
    expect(accepted(executionStarted({ dataschema: null })).kind).toBe('execution.started');
  });

  it('keeps an unknown type as other, with its time', () => {
    const event = accepted({ specversion: '1.0', id: 'x1', type: 'com.example.thing', source: 's', data: { date_created: '2025-02-03T04:05:06Z' } });
    expect(event).toMatchObject({ kind: 'other', type: 'com.example.thing', time: '2025-02-03T04:05:06.000Z' });
    expect(accepted({ specversion: '1.0', id: 'x2', type: 'com.example.bare', source: 's' })).toMatchObject({ kind: 'other', time: null });
  });

  it('accepts a step with only its identifying fields, and keeps unknown fields', () => {
    const minimal = {
      specversion: '1.0',
      id: 'step-1',
      type: 'com.twilio.studio.flow.step.ended',
      source: 's',
      data: { step_sid: sid('FT', 1), execution_sid: sid('FN', 1), flow_sid: sid('FW', 1), context: { flow: { x: 1 } } },
      partitionkey: 'extension attribute',
    };
    const event = accepted(minimal);
    expect(event).toMatchObject({ kind: 'step.ended', time: null });
    expect(event.kind === 'step.ended' && event.data.context).toEqual({ flow: { x: 1 } });
    expect(event.raw.partitionkey).toBe('extension attribute');
  });

  it('reads a wrongly typed optional field as null and keeps it in raw', () => {
    const event = accepted(stepEnded({ data: { name: 42, transitioned_to: { widget: 'x' }, flow_revision: false } }));
    expect(event.kind === 'step.ended' && event.data).toMatchObject({ name: null, transitioned_to: null, flow_revision: null });
    expect((event.raw.data as { name: unknown }).name).toBe(42);
  });

  it('rejects a Studio event without execution_sid, saying why and keeping its id', () => {
    const { reason, id } = rejected(stepEnded({ id: 'no-exec', data: { execution_sid: undefined } }));
    expect(id).toBe('no-exec');
    expect(reason).toMatch(/^data\.execution_sid: /);
    expect(rejected(executionStarted({ data: { flow_sid: undefined } })).reason).toMatch(/^data\.flow_sid: /);
    expect(rejected({ ...stepEnded(), data: 'not an object' }).reason).toMatch(/^data: /);
  });

  it('rejects what is not a CloudEvent', () => {
    for (const input of [null, 'text', 42, [], {}, { ...stepEnded(), specversion: '0.3' }, { ...stepEnded(), source: '' }])
      expect(rejected(input).reason).toMatch(/^not a CloudEvent: /);
    expect(rejected({ ...stepEnded(), type: undefined }).id).toBe(stepEnded().id);
  });

  it('rejects an oversize id and reports it truncated', () => {
    const long = 'E'.repeat(MAX_EVENT_ID_LENGTH + 1);
    const { id, reason } = rejected(stepEnded({ id: long }));
    expect(id).toHaveLength(MAX_EVENT_ID_LENGTH);
    expect(reason).toMatch(/event\.id/);
    expect(accepted(stepEnded({ id: 'E'.repeat(MAX_EVENT_ID_LENGTH) })).id).toHaveLength(MAX_EVENT_ID_LENGTH);
  });

  it('parses the sink test event', () => {
    expect(accepted(sinkTestEvent('abc'))).toMatchObject({ kind: 'sink.test', testId: 'abc', source: 'Sink' });
    expect(accepted(sinkTestEvent('abc', { data: { test_id: 7 } }))).toMatchObject({ kind: 'sink.test', testId: null });
  });

  it('names the execution and flow of Studio events only', () => {
    const step = accepted(stepEnded());
    expect([executionSidOf(step), flowSidOf(step)]).toEqual([DEFAULTS.executionSid, DEFAULTS.flowSid]);
    const test = accepted(sinkTestEvent());
    expect([executionSidOf(test), flowSidOf(test)]).toEqual([null, null]);
  });
});

describe('parseDelivery', () => {
  it('accepts an array of events and a single event object', () => {
    const events = [executionStarted(), stepEnded()];
    expect(parseDelivery(events)?.accepted.map((e) => e.kind)).toEqual(['execution.started', 'step.ended']);
    expect(parseDelivery(stepEnded())).toMatchObject({ accepted: [{ kind: 'step.ended' }], rejected: [] });
    expect(parseDelivery([])).toEqual({ accepted: [], rejected: [] });
  });

  it('keeps the valid events of a batch and sets the invalid ones aside with index and reason', () => {
    const bad = stepEnded({ id: 'bad', data: { step_sid: undefined } });
    const result = parseDelivery([stepEnded(), 'junk', bad, null, sinkTestEvent()]);
    expect(result?.accepted.map((e) => e.kind)).toEqual(['step.ended', 'sink.test']);
    expect(result?.rejected.map((r) => [r.index, r.id])).toEqual([
      [1, null],
      [2, 'bad'],
      [3, null],
    ]);
    expect(result?.rejected[1]?.reason).toMatch(/data\.step_sid/);
    expect(result?.rejected[0]?.raw).toBe('junk');
  });

  it('returns null for a body that is neither an object nor an array', () => {
    for (const body of [null, undefined, 'text', 3, true]) expect(parseDelivery(body)).toBeNull();
  });
});

describe('normalizeTime', () => {
  it('normalizes RFC 3339 times to ISO UTC', () => {
    expect(normalizeTime('2025-01-01T12:00:00+02:00')).toBe('2025-01-01T10:00:00.000Z');
    expect(normalizeTime('2017-11-06T12:00:00Z')).toBe('2017-11-06T12:00:00.000Z');
    expect(normalizeTime('2025-01-01')).toBe('2025-01-01T00:00:00.000Z');
  });

  it('reads a date-time without offset as UTC on every machine', () => {
    expect(normalizeTime('2025-01-01T10:00:00')).toBe('2025-01-01T10:00:00.000Z');
    expect(normalizeTime('2025-01-01T10:00:00.250')).toBe('2025-01-01T10:00:00.250Z');
  });

  it('refuses what is not a date', () => {
    for (const value of ['1', 'March 7', 'application/json', '', '2025-13-45T99:00:00Z', 'x'.repeat(65), 20250101, null, undefined])
      expect(normalizeTime(value)).toBeNull();
  });
});

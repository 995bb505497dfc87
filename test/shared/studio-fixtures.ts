/**
 * Test fixtures: realistic Twilio Studio CloudEvents (the wire JSON Event Streams POSTs), with
 * sensible defaults and overrides, for any test in the project.
 *
 *   sid('FN', 1)                        -> 'FN00000000000000000000000000000001'
 *   sid('FT', 'gather')                 -> 'FT' + 32 hex derived from the label (stable)
 *   executionStarted({ data: { contact_channel_address: 'whatsapp:+15005550006' } })
 *   stepEnded({ data: { transitioned_from: 'gather_1', transitioned_to: 'split_1', name: 'keypress' } })
 *   executionEnded({ data: { ended_reason: 'API' } })
 *   executionScenario({ steps: [...] }).events  -> started, steps, ended in time order
 *   ivrScenario() / messagingScenario()          -> canned realistic executions
 *   parseAll(rawEvents)                          -> StudioEvent[] (throws on an invalid fixture)
 *
 * Default event ids are derived from the event type and the execution / step sid, so building the
 * same event twice yields the same id: a redelivery, exactly as Twilio would send it.
 */
import {
  parseStudioEvent,
  SINK_TEST_EVENT,
  STUDIO_EXECUTION_ENDED,
  STUDIO_EXECUTION_STARTED,
  STUDIO_STEP_ENDED,
  type StudioEvent,
} from '../../src/shared/studio-event.js';

/** A CloudEvent as it travels on the wire. */
export interface WireEvent {
  specversion: '1.0';
  id: string;
  type: string;
  source: string;
  time?: string;
  dataschema?: string;
  datacontenttype?: string;
  data: Record<string, unknown>;
  [extension: string]: unknown;
}

/**
 * Overrides for one event. `null` removes an envelope attribute; a data key set to `undefined`
 * removes that data field (to test a missing field).
 */
export interface EventOverrides {
  id?: string;
  time?: string | null;
  source?: string;
  dataschema?: string | null;
  datacontenttype?: string | null;
  data?: Record<string, unknown>;
}

export const DEFAULT_START = '2025-01-01T10:00:00.000Z';
export const SCHEMA_V1 = 'https://events-schemas.twilio.com/Studio.FlowExecutionEvent/1';
export const SCHEMA_V2 = 'https://events-schemas.twilio.com/Studio.FlowExecutionEvent/2';
/** Assumed name: Twilio's pages show only the execution schemas. The parser ignores dataschema anyway. */
export const STEP_SCHEMA_V1 = 'https://events-schemas.twilio.com/Studio.FlowStepEvent/1';

/** 32 stable hex digits from a label (FNV-1a, four seeds): not cryptographic, only distinct. */
function hex32(label: string): string {
  let out = '';
  for (const seed of [0x811c9dc5, 0x01000193, 0x9e3779b9, 0x85ebca6b]) {
    let h = seed >>> 0;
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out;
}

/** A valid Twilio SID: two-letter prefix + 32 hex digits. A number is zero-padded, a string hashed. */
export function sid(prefix: string, seed: number | string): string {
  if (!/^[A-Z]{2}$/.test(prefix)) throw new Error(`a SID prefix is two capital letters, not ${prefix}`);
  const digits = typeof seed === 'number' ? seed.toString(16).padStart(32, '0') : hex32(seed);
  if (digits.length !== 32) throw new Error(`seed ${seed} does not fit 32 hex digits`);
  return prefix + digits;
}

/** Defaults shared by every fixture event. */
export const DEFAULTS = {
  accountSid: sid('AC', 1),
  flowSid: sid('FW', 1),
  executionSid: sid('FN', 1),
  startedBy: sid('CA', 1),
  contact: '+15005550006',
  flowRevision: 3,
} as const;

/** ISO time `ms` milliseconds after `base` (default DEFAULT_START). */
export function at(ms: number, base: string = DEFAULT_START): string {
  return new Date(Date.parse(base) + ms).toISOString();
}

/** Defaults overlaid with overrides; an override of `undefined` removes the field. */
function mergeData(defaults: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries({ ...defaults, ...overrides })) if (value !== undefined) data[key] = value;
  return data;
}

/**
 * Assembles the envelope. The default `time` is the data's own moment (`timeKey`), as Twilio
 * would stamp it; the default id depends only on type + subject, so a rebuilt event is a redelivery.
 */
function buildEvent(type: string, subject: string, schema: string, data: Record<string, unknown>, timeKey: string, o: EventOverrides): WireEvent {
  const event: WireEvent = {
    specversion: '1.0',
    id: o.id ?? sid('EZ', `${type}|${subject}`),
    type,
    source: o.source ?? `/v2/Flows/${String(data.flow_sid)}/Executions/${String(data.execution_sid)}`,
    dataschema: schema,
    datacontenttype: 'application/json',
    data,
  };
  const time = o.time === undefined ? data[timeKey] : o.time;
  if (typeof time === 'string') event.time = time;
  if (o.dataschema === null) delete event.dataschema;
  else if (o.dataschema !== undefined) event.dataschema = o.dataschema;
  if (o.datacontenttype === null) delete event.datacontenttype;
  else if (o.datacontenttype !== undefined) event.datacontenttype = o.datacontenttype;
  return event;
}

function executionDefaults(status: 'active' | 'ended'): Record<string, unknown> {
  return {
    execution_sid: DEFAULTS.executionSid,
    account_sid: DEFAULTS.accountSid,
    flow_sid: DEFAULTS.flowSid,
    contact_channel_address: DEFAULTS.contact,
    status,
    ended_reason: status === 'ended' ? 'FLOW_END' : null,
    date_created: DEFAULT_START,
    date_updated: status === 'ended' ? at(60_000) : null,
    started_by: DEFAULTS.startedBy,
    flow_revision: DEFAULTS.flowRevision,
  };
}

/** `com.twilio.studio.flow.execution.started` (schema v2 unless overridden). */
export function executionStarted(o: EventOverrides = {}): WireEvent {
  const data = mergeData(executionDefaults('active'), o.data);
  return buildEvent(STUDIO_EXECUTION_STARTED, String(data.execution_sid), SCHEMA_V2, data, 'date_created', o);
}

/** `com.twilio.studio.flow.execution.ended`: FLOW_END one minute after DEFAULT_START by default. */
export function executionEnded(o: EventOverrides = {}): WireEvent {
  const data = mergeData(executionDefaults('ended'), o.data);
  return buildEvent(STUDIO_EXECUTION_ENDED, String(data.execution_sid), SCHEMA_V2, data, 'date_updated', o);
}

/** `com.twilio.studio.flow.step.ended`: defaults to a first step (Trigger -> Ended, incomingCall). */
export function stepEnded(o: EventOverrides = {}): WireEvent {
  const defaults = {
    step_sid: sid('FT', 1),
    execution_sid: DEFAULTS.executionSid,
    account_sid: DEFAULTS.accountSid,
    flow_sid: DEFAULTS.flowSid,
    name: 'incomingCall',
    transitioned_from: 'Trigger',
    transitioned_to: 'Ended',
    parent_step_sid: null,
    date_created: DEFAULT_START,
    date_updated: null,
    flow_revision: DEFAULTS.flowRevision,
  };
  const data = mergeData(defaults, o.data);
  return buildEvent(STUDIO_STEP_ENDED, String(data.step_sid), STEP_SCHEMA_V1, data, 'date_created', o);
}

/** The event a sink test (POST /v1/Sinks/{Sid}/Test) delivers. */
export function sinkTestEvent(testId = 'test-1', o: EventOverrides = {}): WireEvent {
  const data = mergeData({ test_id: testId }, o.data);
  const schema = 'https://events-schemas.twilio.com/EventStreams.TestSink/1';
  return buildEvent(SINK_TEST_EVENT, testId, schema, data, 'none', { source: 'Sink', time: DEFAULT_START, ...o });
}

export interface ScenarioStep {
  /** Defaults to sid('FT', `${executionSid}|${index}`). */
  sid?: string;
  from: string;
  to: string;
  name: string;
  /** ms after the execution's start; null leaves date_created and time out. */
  atMs: number | null;
  parentSid?: string;
}

export interface ScenarioOptions {
  executionSid?: string;
  flowSid?: string;
  contact?: string;
  start?: string;
  steps: ScenarioStep[];
  /** Omit to leave the execution active; `null` ended_reason is a normal end too. */
  ended?: { atMs: number; reason?: string | null };
}

export interface Scenario {
  executionSid: string;
  flowSid: string;
  stepSids: string[];
  started: WireEvent;
  steps: WireEvent[];
  ended: WireEvent | null;
  /** started, steps, ended: the order in which Studio produced them. */
  events: WireEvent[];
}

/** A whole execution as Studio would report it. */
export function executionScenario(options: ScenarioOptions): Scenario {
  const executionSid = options.executionSid ?? DEFAULTS.executionSid;
  const flowSid = options.flowSid ?? DEFAULTS.flowSid;
  const start = options.start ?? DEFAULT_START;
  const common = { execution_sid: executionSid, flow_sid: flowSid, contact_channel_address: options.contact ?? DEFAULTS.contact };
  const started = executionStarted({ data: { ...common, date_created: start } });
  const stepSids = options.steps.map((s, i) => s.sid ?? sid('FT', `${executionSid}|${i}`));
  const steps = options.steps.map((s, i) => {
    const time = s.atMs === null ? undefined : at(s.atMs, start);
    return stepEnded({
      time: time ?? null,
      data: {
        execution_sid: executionSid,
        flow_sid: flowSid,
        step_sid: stepSids[i],
        name: s.name,
        transitioned_from: s.from,
        transitioned_to: s.to,
        parent_step_sid: s.parentSid ?? null,
        date_created: time,
      },
    });
  });
  const ended =
    options.ended === undefined
      ? null
      : executionEnded({
          data: { ...common, date_created: start, date_updated: at(options.ended.atMs, start), ended_reason: options.ended.reason === undefined ? 'FLOW_END' : options.ended.reason },
        });
  return { executionSid, flowSid, stepSids, started, steps, ended, events: [started, ...steps, ...(ended ? [ended] : [])] };
}

/**
 * A voice IVR: gather a digit, split on it, say something, run a subflow (two steps of its own,
 * nested under the subflow step), then end. Ends normally 30 s after the call came in.
 */
export function ivrScenario(executionSid: string = DEFAULTS.executionSid): Scenario {
  const subflowStep = sid('FT', `${executionSid}|subflow`);
  return executionScenario({
    executionSid,
    steps: [
      { from: 'Trigger', to: 'gather_menu', name: 'incomingCall', atMs: 0 },
      { from: 'gather_menu', to: 'split_digits', name: 'keypress', atMs: 6_000 },
      { from: 'split_digits', to: 'say_hours', name: 'match', atMs: 6_000 },
      { from: 'say_hours', to: 'run_survey', name: 'audioComplete', atMs: 12_000 },
      { from: 'Trigger', to: 'gather_rating', name: 'incomingParent', atMs: 12_000, parentSid: subflowStep },
      { from: 'gather_rating', to: 'Ended', name: 'keypress', atMs: 20_000, parentSid: subflowStep },
      { sid: subflowStep, from: 'run_survey', to: 'Ended', name: 'completed', atMs: 21_000 },
    ],
    ended: { atMs: 21_000 },
  });
}

/** An SMS flow that sent a question and is waiting for the reply (active, in send_and_wait). */
export function messagingScenario(executionSid: string = sid('FN', 2)): Scenario {
  return executionScenario({
    executionSid,
    contact: 'whatsapp:+15005550006',
    steps: [
      { from: 'Trigger', to: 'send_greeting', name: 'incomingMessage', atMs: 0 },
      { from: 'send_greeting', to: 'ask_order_number', name: 'sent', atMs: 800 },
    ],
  });
}

/** Parses wire events; a fixture that does not parse is a bug in the test, so this throws. */
export function parseAll(events: readonly unknown[]): StudioEvent[] {
  return events.map((raw) => {
    const result = parseStudioEvent(raw);
    if (!result.ok) throw new Error(`fixture event does not parse: ${result.reason}`);
    return result.event;
  });
}

/**
 * Studio events as Twilio Event Streams delivers them (CloudEvents 1.0 JSON).
 *
 * Boundary module: everything here parses untrusted input (a webhook body, an import file).
 * Invariants:
 * - Parsing never throws; a bad event becomes a `{ ok: false, reason }` result.
 * - Unknown fields are kept (`raw` is the event exactly as received), a missing optional field is
 *   not an error, and an unknown event type is kept as kind `other`, never dropped.
 * - `time` and `datacontenttype` never reject an event on their own: Twilio's own examples put a
 *   timestamp in `datacontenttype` and leave `time` out, so the event time falls back to
 *   `data.date_updated` / `data.date_created`, then to a timestamp found in `datacontenttype`
 *   (DESIGN.md section 4).
 * - Only the fields that identify an event (id, type, source, the execution / flow / step SIDs) can
 *   reject it. An optional data field of the wrong type reads as null (`raw` still has it), so one
 *   odd field never costs a step of the tree.
 * - Times are normalized to ISO 8601 UTC and must look like RFC 3339 dates; a date-time without an
 *   offset is read as UTC, never in the local zone of whatever machine parses it.
 * Isomorphic: no node:* and no DOM.
 */
import { z } from 'zod';

import {
  SINK_TEST_EVENT,
  STUDIO_EXECUTION_ENDED,
  STUDIO_EXECUTION_STARTED,
  STUDIO_STEP_ENDED,
} from './event-types.js';

export { SINK_TEST_EVENT, STUDIO_EVENT_TYPES, STUDIO_EXECUTION_ENDED, STUDIO_EXECUTION_STARTED, STUDIO_STEP_ENDED } from './event-types.js';

export type EventKind = 'execution.started' | 'execution.ended' | 'step.ended' | 'sink.test' | 'other';

/** Upper bounds that keep one hostile event from filling memory or the disk. */
export const MAX_EVENT_ID_LENGTH = 256;
export const MAX_EVENT_TYPE_LENGTH = 256;

const shortString = (max: number) => z.string().min(1).max(max);

/** The CloudEvents 1.0 envelope. Extra attributes (extensions) pass through. */
export const cloudEventSchema = z.looseObject({
  specversion: z.literal('1.0'),
  id: shortString(MAX_EVENT_ID_LENGTH),
  type: shortString(MAX_EVENT_TYPE_LENGTH),
  source: z.string().min(1).max(2048),
  time: z.unknown().optional(),
  datacontenttype: z.unknown().optional(),
  dataschema: z.unknown().optional(),
  subject: z.unknown().optional(),
  data: z.unknown().optional(),
});
export type CloudEvent = z.infer<typeof cloudEventSchema>;

// `.catch(null)`: a wrongly typed optional field is read as absent instead of rejecting the event.
const optionalText = z.string().nullish().catch(null);
const optionalRevision = z.union([z.number(), z.string()]).nullish().catch(null);

/** `data` of execution started / ended (Studio.FlowExecutionEvent v1 and v2 carry the same fields). */
export const executionDataSchema = z.looseObject({
  execution_sid: z.string().min(1).max(64),
  flow_sid: z.string().min(1).max(64),
  account_sid: optionalText,
  contact_channel_address: optionalText,
  status: optionalText,
  ended_reason: optionalText,
  date_created: optionalText,
  date_updated: optionalText,
  started_by: optionalText,
  flow_revision: optionalRevision,
});
export type ExecutionData = z.infer<typeof executionDataSchema>;

/** `data` of step ended: the fields of Studio's Step resource (studio v2 spec). */
export const stepDataSchema = z.looseObject({
  step_sid: z.string().min(1).max(64),
  execution_sid: z.string().min(1).max(64),
  flow_sid: z.string().min(1).max(64),
  account_sid: optionalText,
  name: optionalText,
  transitioned_from: optionalText,
  transitioned_to: optionalText,
  parent_step_sid: optionalText,
  date_created: optionalText,
  date_updated: optionalText,
  flow_revision: optionalRevision,
});
export type StepData = z.infer<typeof stepDataSchema>;

interface EventBase {
  id: string;
  type: string;
  source: string;
  /** The event's own time as ISO 8601 (UTC), or null when neither `time` nor the data carry one. */
  time: string | null;
  /** The CloudEvent exactly as it was received. */
  raw: CloudEvent;
}

export interface ExecutionEvent extends EventBase {
  kind: 'execution.started' | 'execution.ended';
  data: ExecutionData;
}
export interface StepEvent extends EventBase {
  kind: 'step.ended';
  data: StepData;
}
export interface SinkTestEvent extends EventBase {
  kind: 'sink.test';
  testId: string | null;
}
export interface OtherEvent extends EventBase {
  kind: 'other';
}
export type StudioEvent = ExecutionEvent | StepEvent | SinkTestEvent | OtherEvent;

export type ParseResult = { ok: true; event: StudioEvent } | { ok: false; reason: string; id: string | null };

const RFC3339_DATE = /^\d{4}-\d{2}-\d{2}/;
const DATE_TIME_WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * Normalizes a timestamp to ISO 8601 UTC, or null when it is not a usable date. Only RFC 3339-like
 * dates count (V8's Date.parse alone would read "1" as the year 2001), and a date-time without an
 * offset is taken as UTC so that every machine reads it alike.
 */
export function normalizeTime(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return null;
  // fast path: Twilio's own form (`2025-01-01T00:00:00.000Z`) is already normalized
  if (value.length === 24 && value[23] === 'Z' && value[10] === 'T' && value[19] === '.' && RFC3339_DATE.test(value)) {
    return Number.isNaN(Date.parse(value)) ? null : value;
  }
  const text = value.trim();
  if (!RFC3339_DATE.test(text)) return null;
  const ms = Date.parse(DATE_TIME_WITHOUT_OFFSET.test(text) ? `${text}Z` : text);
  if (Number.isNaN(ms)) return null;
  return new Date(ms).toISOString();
}

function describeIssues(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (!issue) return `${prefix} is invalid`;
  const path = issue.path.length > 0 ? `${prefix}.${issue.path.join('.')}` : prefix;
  return `${path}: ${issue.message}`;
}

function kindOf(type: string): EventKind {
  switch (type) {
    case STUDIO_EXECUTION_STARTED:
      return 'execution.started';
    case STUDIO_EXECUTION_ENDED:
      return 'execution.ended';
    case STUDIO_STEP_ENDED:
      return 'step.ended';
    case SINK_TEST_EVENT:
      return 'sink.test';
    default:
      return 'other';
  }
}

function eventTime(raw: CloudEvent, data: { date_created?: string | null; date_updated?: string | null } | null): string | null {
  return (
    normalizeTime(raw.time) ??
    // an ended event's own moment is its update time; a started or step event's is its creation
    (raw.type === STUDIO_EXECUTION_ENDED ? normalizeTime(data?.date_updated) : null) ??
    normalizeTime(data?.date_created) ??
    normalizeTime(data?.date_updated) ??
    // Twilio's documented examples carry the event time in `datacontenttype` (and no `time`)
    normalizeTime(raw.datacontenttype)
  );
}

/** Parses one CloudEvent. Never throws. */
export function parseStudioEvent(input: unknown): ParseResult {
  const envelope = cloudEventSchema.safeParse(input);
  if (!envelope.success) {
    const id =
      typeof input === 'object' && input !== null && typeof (input as { id?: unknown }).id === 'string'
        ? ((input as { id: string }).id.slice(0, MAX_EVENT_ID_LENGTH) as string)
        : null;
    return { ok: false, id, reason: `not a CloudEvent: ${describeIssues(envelope.error, 'event')}` };
  }
  const raw = envelope.data;
  const base = { id: raw.id, type: raw.type, source: raw.source, raw };
  const kind = kindOf(raw.type);
  switch (kind) {
    case 'execution.started':
    case 'execution.ended': {
      const data = executionDataSchema.safeParse(raw.data);
      if (!data.success) return { ok: false, id: raw.id, reason: describeIssues(data.error, 'data') };
      return { ok: true, event: { ...base, kind, data: data.data, time: eventTime(raw, data.data) } };
    }
    case 'step.ended': {
      const data = stepDataSchema.safeParse(raw.data);
      if (!data.success) return { ok: false, id: raw.id, reason: describeIssues(data.error, 'data') };
      return { ok: true, event: { ...base, kind, data: data.data, time: eventTime(raw, data.data) } };
    }
    case 'sink.test': {
      const data = raw.data as { test_id?: unknown } | undefined;
      const testId = typeof data?.test_id === 'string' ? data.test_id : null;
      return { ok: true, event: { ...base, kind, testId, time: eventTime(raw, null) } };
    }
    default: {
      const data = typeof raw.data === 'object' && raw.data !== null ? (raw.data as Record<string, unknown>) : null;
      const dates = {
        date_created: typeof data?.date_created === 'string' ? data.date_created : null,
        date_updated: typeof data?.date_updated === 'string' ? data.date_updated : null,
      };
      return { ok: true, event: { ...base, kind: 'other', time: eventTime(raw, dates) } };
    }
  }
}

export interface RejectedEvent {
  /** Position in the delivery (0 for a single-object body). */
  index: number;
  id: string | null;
  reason: string;
  raw: unknown;
}

export interface ParsedDelivery {
  accepted: StudioEvent[];
  rejected: RejectedEvent[];
}

/**
 * Parses a webhook body: a JSON array of CloudEvents, or a single one. Invalid entries are set
 * aside with their reason so that one poison event never costs the valid ones of the batch.
 * Returns null when the body is neither an object nor an array (the whole request is invalid).
 */
export function parseDelivery(body: unknown): ParsedDelivery | null {
  const items: unknown[] | null = Array.isArray(body)
    ? body
    : typeof body === 'object' && body !== null
      ? [body]
      : null;
  if (items === null) return null;
  const accepted: StudioEvent[] = [];
  const rejected: RejectedEvent[] = [];
  items.forEach((item, index) => {
    const result = parseStudioEvent(item);
    if (result.ok) accepted.push(result.event);
    else rejected.push({ index, id: result.id, reason: result.reason, raw: item });
  });
  return { accepted, rejected };
}

/** The execution an event belongs to, if any. */
export function executionSidOf(event: StudioEvent): string | null {
  return event.kind === 'execution.started' || event.kind === 'execution.ended' || event.kind === 'step.ended'
    ? event.data.execution_sid
    : null;
}

/** The flow an event belongs to, if any. */
export function flowSidOf(event: StudioEvent): string | null {
  return event.kind === 'execution.started' || event.kind === 'execution.ended' || event.kind === 'step.ended'
    ? event.data.flow_sid
    : null;
}

/**
 * Writes one Studio Flow execution as the CloudEvents Event Streams would emit for it.
 *
 * A scenario drives an ExecutionScript like a Studio engine would: start, wait (realistic wall time,
 * divided by the time scale), one `step()` per widget transition, end. The script keeps the
 * invariants of real Studio events so that scenarios cannot break them:
 * - every event has a fresh `EV` + 32 hex id and its own timestamp; timestamps of one execution
 *   strictly increase (at least 1 ms apart), so order by time is unambiguous;
 * - data carries exactly Twilio's fields (DESIGN.md section 4); `parent_step_sid` only on steps of a
 *   subflow, whose parent step SID is reserved before its children and emitted after them (the
 *   Run Subflow widget ends when its subflow does).
 */
import { STUDIO_EXECUTION_ENDED, STUDIO_EXECUTION_STARTED, STUDIO_STEP_ENDED } from '../../shared/studio-event.js';
import type { Random } from './seeded-random.js';

export const EXECUTION_DATASCHEMA = 'https://events-schemas.twilio.com/Studio.FlowExecutionEvent/1';
/** Twilio documents no name for the step schema; this follows the execution schema's pattern. */
export const STEP_DATASCHEMA = 'https://events-schemas.twilio.com/Studio.FlowStepEvent/1';

export interface ExecutionEventData {
  execution_sid: string;
  account_sid: string;
  flow_sid: string;
  contact_channel_address: string;
  status: 'active' | 'ended';
  ended_reason: string | null;
  date_created: string;
  date_updated: string;
  started_by: string;
  flow_revision: number;
}

export interface StepEventData {
  step_sid: string;
  execution_sid: string;
  flow_sid: string;
  account_sid: string;
  name: string;
  transitioned_from: string;
  transitioned_to: string;
  parent_step_sid?: string;
  date_created: string;
  flow_revision: number;
}

interface CloudEventEnvelope<Type extends string, Data> {
  specversion: '1.0';
  type: Type;
  source: string;
  id: string;
  dataschema: string;
  datacontenttype: 'application/json';
  time: string;
  data: Data;
}

export type ExecutionCloudEvent = CloudEventEnvelope<
  typeof STUDIO_EXECUTION_STARTED | typeof STUDIO_EXECUTION_ENDED,
  ExecutionEventData
>;
export type StepCloudEvent = CloudEventEnvelope<typeof STUDIO_STEP_ENDED, StepEventData>;
/** One generated Studio CloudEvent, exactly as it goes on the wire. */
export type DemoCloudEvent = ExecutionCloudEvent | StepCloudEvent;

export interface DemoFlow {
  sid: string;
  friendlyName: string;
  revision: number;
}

export interface ExecutionIdentity {
  accountSid: string;
  flow: DemoFlow;
  executionSid: string;
  contact: string;
  /** The Call (CA) or Message (SM) SID that started the execution. */
  startedBy: string;
}

export interface StepOptions {
  /** The Run Subflow step this step belongs to. */
  parentStepSid?: string;
  /** A SID reserved earlier with reserveStepSid() (a Run Subflow step whose children came first). */
  stepSid?: string;
}

export const sid = (random: Random, prefix: string): string => prefix + random.hex(32);

export class ExecutionScript {
  readonly events: DemoCloudEvent[] = [];
  private clockMs: number;
  private readonly startMs: number;

  constructor(
    private readonly random: Random,
    readonly identity: ExecutionIdentity,
    startMs: number,
    /** Real durations are divided by this (1 = real time; 10 = ten times faster). */
    private readonly timeScale = 1,
  ) {
    this.startMs = Math.round(startMs);
    this.clockMs = this.startMs;
  }

  /** The execution's clock (epoch ms). */
  get nowMs(): number {
    return this.clockMs;
  }

  /** Lets `realMs` of real time pass (scaled), e.g. a caller listening to a prompt. */
  wait(realMs: number): void {
    this.clockMs += Math.max(1, Math.round(realMs / this.timeScale));
  }

  /** Waits a uniformly random real duration in [minMs, maxMs). */
  waitBetween(minMs: number, maxMs: number): void {
    this.wait(this.random.between(minMs, maxMs));
  }

  reserveStepSid(): string {
    return sid(this.random, 'FT');
  }

  start(): void {
    this.events.push(this.executionEvent(STUDIO_EXECUTION_STARTED, this.startMs, 'active', null));
  }

  /** One widget transition: `from` left through event `name` to `to` (a widget or `Ended`). */
  step(from: string, name: string, to: string, options: StepOptions = {}): string {
    this.clockMs += 1;
    const stepSid = options.stepSid ?? this.reserveStepSid();
    const { accountSid, flow, executionSid } = this.identity;
    const time = new Date(this.clockMs).toISOString();
    const data: StepEventData = {
      step_sid: stepSid,
      execution_sid: executionSid,
      flow_sid: flow.sid,
      account_sid: accountSid,
      name,
      transitioned_from: from,
      transitioned_to: to,
      ...(options.parentStepSid === undefined ? {} : { parent_step_sid: options.parentStepSid }),
      date_created: time,
      flow_revision: flow.revision,
    };
    this.events.push({
      ...this.envelope(STUDIO_STEP_ENDED, `${this.executionSource()}/Steps/${stepSid}`, STEP_DATASCHEMA, time),
      data,
    });
    return stepSid;
  }

  end(reason = 'FLOW_END'): void {
    this.clockMs += 1;
    this.events.push(this.executionEvent(STUDIO_EXECUTION_ENDED, this.clockMs, 'ended', reason));
  }

  private executionEvent(
    type: ExecutionCloudEvent['type'],
    atMs: number,
    status: ExecutionEventData['status'],
    endedReason: string | null,
  ): ExecutionCloudEvent {
    const { accountSid, flow, executionSid, contact, startedBy } = this.identity;
    const time = new Date(atMs).toISOString();
    return {
      ...this.envelope(type, this.executionSource(), EXECUTION_DATASCHEMA, time),
      data: {
        execution_sid: executionSid,
        account_sid: accountSid,
        flow_sid: flow.sid,
        contact_channel_address: contact,
        status,
        ended_reason: endedReason,
        date_created: new Date(this.startMs).toISOString(),
        date_updated: time,
        started_by: startedBy,
        flow_revision: flow.revision,
      },
    };
  }

  private executionSource(): string {
    return `/v2/Flows/${this.identity.flow.sid}/Executions/${this.identity.executionSid}`;
  }

  private envelope<T extends DemoCloudEvent['type']>(type: T, source: string, dataschema: string, time: string) {
    return {
      specversion: '1.0' as const,
      type,
      source,
      id: sid(this.random, 'EV'),
      dataschema,
      datacontenttype: 'application/json' as const,
      time,
    };
  }
}

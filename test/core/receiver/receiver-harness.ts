// Shared by the receiver tests: a test double for the store side (IngestPort), an observer that
// records, sample Studio CloudEvents, and a started receiver on port 0.
import type { IngestBatch, IngestOutcome, IngestPort, ReceiverObserver } from '../../../src/core/receiver/ingest-port.js';
import { createReceiver, type Receiver, type ReceiverOptions } from '../../../src/core/receiver/receiver.js';
import type { UnverifiedRecord } from '../../../src/shared/contract.js';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Records every batch; counts ids already seen as duplicates (like the real store). `gate`, when
 * set, holds each ingest until the test resolves (or rejects) it; `failWith` makes ingest reject.
 */
export class RecordingIngest implements IngestPort {
  readonly batches: IngestBatch[] = [];
  readonly seen = new Set<string>();
  gate: Deferred<void> | null = null;
  failWith: Error | null = null;
  private calledWaiters: (() => void)[] = [];

  async ingest(batch: IngestBatch): Promise<IngestOutcome> {
    this.batches.push(batch);
    for (const wake of this.calledWaiters.splice(0)) wake();
    if (this.gate) await this.gate.promise;
    if (this.failWith) throw this.failWith;
    let inserted = 0;
    let duplicates = 0;
    for (const event of batch.accepted) {
      if (this.seen.has(event.id)) duplicates++;
      else {
        this.seen.add(event.id);
        inserted++;
      }
    }
    return { inserted, duplicates };
  }

  /** Resolves once `ingest` has been called `count` times in total. */
  async called(count = 1): Promise<void> {
    while (this.batches.length < count) await new Promise<void>((wake) => this.calledWaiters.push(wake));
  }
}

export class RecordingObserver implements ReceiverObserver {
  readonly unverified: UnverifiedRecord[] = [];
  readonly badRequests: { status: number; reason: string }[] = [];
  onUnverified(record: UnverifiedRecord): void {
    this.unverified.push(record);
  }
  onBadRequest(status: number, reason: string): void {
    this.badRequests.push({ status, reason });
  }
}

export const ACCOUNT_SID = 'AC00000000000000000000000000000001';
export const FLOW_SID = 'FW00000000000000000000000000000001';
export const EXECUTION_SID = 'FN00000000000000000000000000000001';

export function startedEvent(id = 'EV-started-1'): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    type: 'com.twilio.studio.flow.execution.started',
    source: `/v2/Flows/${FLOW_SID}/Executions/${EXECUTION_SID}`,
    time: '2026-01-05T10:00:00.000Z',
    dataschema: 'https://events-schemas.twilio.com/Studio.FlowExecutionEvent/1',
    datacontenttype: 'application/json',
    data: {
      execution_sid: EXECUTION_SID,
      account_sid: ACCOUNT_SID,
      flow_sid: FLOW_SID,
      contact_channel_address: '+15550100',
      status: 'active',
      date_created: '2026-01-05T10:00:00Z',
      started_by: 'CA00000000000000000000000000000001',
      flow_revision: 3,
    },
  };
}

export function stepEvent(id = 'EV-step-1'): Record<string, unknown> {
  return {
    specversion: '1.0',
    id,
    type: 'com.twilio.studio.flow.step.ended',
    source: `/v2/Flows/${FLOW_SID}/Executions/${EXECUTION_SID}/Steps/FT01`,
    time: '2026-01-05T10:00:01.000Z',
    datacontenttype: 'application/json',
    data: {
      step_sid: 'FT00000000000000000000000000000001',
      execution_sid: EXECUTION_SID,
      flow_sid: FLOW_SID,
      account_sid: ACCOUNT_SID,
      name: 'incomingCall',
      transitioned_from: 'Trigger',
      transitioned_to: 'say_hello',
      date_created: '2026-01-05T10:00:01Z',
    },
  };
}

export interface Harness {
  receiver: Receiver;
  ingest: RecordingIngest;
  observer: RecordingObserver;
  /** e.g. http://127.0.0.1:40111 */
  origin: string;
  /** e.g. http://127.0.0.1:40111/events */
  deliveryUrl: string;
}

export async function startHarness(options: Partial<ReceiverOptions> = {}): Promise<Harness> {
  const ingest = new RecordingIngest();
  const observer = new RecordingObserver();
  const receiver = createReceiver({ port: 0, ingest, observer, ...options });
  const { localUrl } = await receiver.start();
  return { receiver, ingest, observer, origin: localUrl, deliveryUrl: localUrl + (options.path ?? '/events') };
}

export function postJson(url: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

/**
 * How the fake Twilio delivers events to a webhook sink, like Event Streams does:
 * - a JSON array of CloudEvents per request (one event, or up to `batchSize` when the sink has
 *   `batch_events: true`);
 * - signed with the ACCOUNT's auth token (whatever credentials created the sink):
 *   `bodySHA256` appended to the destination and X-Twilio-Signature over that URL, by the same
 *   `signDelivery` the receiver verifies against (through the demo's DeliverySender);
 * - retried on 429, 5xx, network errors and time-outs, never on another 4xx (bounded attempts and
 *   short backoff here, not Twilio's four hours);
 * - at least once and unordered: optional seeded duplication and reordering.
 *
 * Destinations are public URLs (a tunnel's); `resolveDestination` maps one to the local URL
 * that stands in for it, like a tunnel would. The signature is still computed for the public
 * URL. The default resolver reaches loopback destinations only: tests never touch the network.
 */
import { randomUUID } from 'node:crypto';
import { DeliverySender, type AttemptResult, type RetryPolicy } from '../../../src/core/demo/delivery-sender.js';
import { createRandom } from '../../../src/core/demo/seeded-random.js';
import { SINK_TEST_EVENT } from '../../../src/shared/studio-event.js';

/** Anything that serializes to a CloudEvent; `type` selects the subscribed sinks. */
export interface CloudEventLike {
  readonly id: string;
  readonly type: string;
}

/** Maps a sink destination to the URL to contact; null = unreachable (DNS failure). */
export type DestinationResolver = (destination: string) => string | null;

export const loopbackOnly: DestinationResolver = (destination) => {
  try {
    const { hostname } = new URL(destination);
    return ['127.0.0.1', 'localhost', '[::1]'].includes(hostname) ? destination : null;
  } catch {
    return null;
  }
};

/**
 * A tunnel's view: a destination under `publicBase` reaches the same path and query under
 * `localBase` (e.g. https://abc.fake-tunnel.test -> http://127.0.0.1:43123). Others are unreachable.
 */
export function tunnelResolver(publicBase: string, localBase: string): DestinationResolver {
  const from = publicBase.replace(/\/+$/, '');
  const to = localBase.replace(/\/+$/, '');
  return (destination) => (destination === from || destination.startsWith(`${from}/`) || destination.startsWith(`${from}?`) ? to + destination.slice(from.length) : null);
}

export const FAST_RETRY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 40 };

export interface DeliveryShapeOptions {
  /** Largest batch for sinks with batch_events (default 1). */
  batchSize?: number;
  /** Share of requests sent a second time, later (default 0). */
  duplicateRate?: number;
  /** Share of requests moved behind a later one (default 0). */
  reorderRate?: number;
  seed?: number;
}

export interface PlannedRequest {
  events: CloudEventLike[];
  duplicate: boolean;
  reordered: boolean;
}

export interface DeliveryRecord {
  sinkSid: string;
  destination: string;
  eventIds: string[];
  duplicate: boolean;
  reordered: boolean;
  outcome: 'acknowledged' | 'rejected' | 'failed' | 'aborted' | 'skipped';
  attempts: AttemptResult[];
}

export interface SinkTarget {
  sid: string;
  destination: string;
  method: string;
  batchEvents: boolean;
  /** The account's primary auth token: Event Streams signs with it. */
  authToken: string;
}

/** Batches in order, then reorders and duplicates some (deterministic for a seed). */
export function planRequests(events: readonly CloudEventLike[], batchEvents: boolean, options: DeliveryShapeOptions = {}): PlannedRequest[] {
  const random = createRandom(options.seed ?? 1);
  const size = batchEvents ? Math.max(1, Math.floor(options.batchSize ?? 1)) : 1;
  const plan: PlannedRequest[] = [];
  for (let i = 0; i < events.length; i += size) plan.push({ events: events.slice(i, i + size), duplicate: false, reordered: false });
  const reorderRate = options.reorderRate ?? 0;
  for (let i = 0; i < plan.length - 1; i++) {
    if (!random.chance(reorderRate)) continue;
    const j = random.int(i + 1, plan.length - 1);
    const moved = plan.splice(i, 1)[0] as PlannedRequest;
    plan.splice(j, 0, { ...moved, reordered: true });
  }
  const duplicateRate = options.duplicateRate ?? 0;
  const originals = plan.length;
  for (let i = 0; i < originals; i++) {
    const original = plan[i] as PlannedRequest;
    if (random.chance(duplicateRate)) plan.splice(random.int(i + 1, plan.length), 0, { ...original, duplicate: true });
  }
  return plan;
}

/** The event a Sink Test sends (Twilio: type com.twilio.eventstreams.test-event, source "Sink"). */
export function sinkTestEvent(now = new Date()): CloudEventLike & Record<string, unknown> {
  return {
    specversion: '1.0',
    type: SINK_TEST_EVENT,
    source: 'Sink',
    id: `EV${randomUUID().replace(/-/g, '')}`,
    dataschema: 'https://events-schemas.twilio.com/EventStreams.TestSink/1',
    datacontenttype: 'application/json',
    time: now.toISOString(),
    data: { test_id: randomUUID() },
  };
}

export interface SendOptions {
  resolve: DestinationResolver;
  retry: RetryPolicy;
  signal: AbortSignal;
  onRecord(record: DeliveryRecord): void;
}

/** Sends the planned requests to one sink, one after the other, each retried per `retry`. */
export async function sendToSink(target: SinkTarget, plan: readonly PlannedRequest[], options: SendOptions): Promise<DeliveryRecord[]> {
  const records: DeliveryRecord[] = [];
  const finish = (request: PlannedRequest, outcome: DeliveryRecord['outcome'], attempts: AttemptResult[]) => {
    const record: DeliveryRecord = {
      sinkSid: target.sid,
      destination: target.destination,
      eventIds: request.events.map((event) => event.id),
      duplicate: request.duplicate,
      reordered: request.reordered,
      outcome,
      attempts,
    };
    records.push(record);
    options.onRecord(record);
  };
  const local = options.resolve(target.destination);
  if (target.method !== 'POST' || local === null) {
    const attempts: AttemptResult[] = local === null ? Array.from({ length: options.retry.maxAttempts }, () => ({ kind: 'network', code: 'ENOTFOUND' })) : [];
    for (const request of plan) finish(request, local === null ? 'failed' : 'skipped', attempts);
    return records;
  }
  const sender = new DeliverySender({
    url: local,
    authToken: target.authToken,
    ...(local === target.destination ? {} : { publicUrl: target.destination }),
    timeoutMs: 5_000,
  });
  try {
    for (const request of plan) {
      const result = await sender.deliver(JSON.stringify(request.events), options.retry, options.signal);
      finish(request, result.outcome, result.attempts);
    }
  } finally {
    sender.close();
  }
  return records;
}

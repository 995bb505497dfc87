// The fake Twilio delivers like Event Streams: the sink test event and Studio traffic reach the real
// receiver, signed so that it verifies them; failures are retried, 4xx are not; duplicates and
// reordering change nothing in what is stored.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateTraffic } from '../../../src/core/demo/traffic-generator.js';
import type { IngestBatch, IngestOutcome, IngestPort } from '../../../src/core/receiver/ingest-port.js';
import { createReceiver, type Receiver } from '../../../src/core/receiver/receiver.js';
import { STUDIO_SUBSCRIPTION_TYPES, createEventStreamsApi, type EventStreamsApi } from '../../../src/core/twilio/event-streams.js';
import { createTwilioClient } from '../../../src/core/twilio/twilio-client.js';
import { SINK_TEST_EVENT } from '../../../src/shared/studio-event.js';
import { createFakeTwilio, tunnelResolver, type FakeTwilio } from '../../fakes/fake-twilio/fake-twilio.js';
import { RecordingIngest, RecordingObserver } from '../receiver/receiver-harness.js';

let fake: FakeTwilio;
let api: EventStreamsApi;
let receiver: Receiver | null = null;
let ingest: RecordingIngest;
let observer: RecordingObserver;

beforeEach(async () => {
  fake = await createFakeTwilio();
  api = createEventStreamsApi(createTwilioClient({ accountSid: fake.account.sid, authToken: fake.account.authToken }, { apiBaseUrl: fake.baseUrl }));
  ingest = new RecordingIngest();
  observer = new RecordingObserver();
});
afterEach(async () => {
  await fake.close();
  await receiver?.stop();
  receiver = null;
});

/** A receiver that verifies signatures with `authToken` against `publicUrl` (default: its own local URL). */
async function startReceiver(options: { authToken?: string; publicUrl?: string; port?: IngestPort } = {}): Promise<string> {
  receiver = createReceiver({ ingest: options.port ?? ingest, observer, shutdownGraceMs: 100 });
  const { localUrl } = await receiver.start();
  receiver.setVerification({ authToken: options.authToken ?? fake.account.authToken, publicUrl: options.publicUrl ?? localUrl });
  return localUrl;
}

const destination = () => receiver!.info().destinationUrl!;
const ingestedIds = () => ingest.batches.flatMap((batch) => batch.accepted.map((event) => event.id));

async function subscribedSink(destinationUrl: string, batchEvents = true) {
  const sink = await api.createWebhookSink({ destinationUrl, description: 'flowscope:test host', batchEvents });
  await api.createSubscription({ sinkSid: sink.sid, description: 'flowscope:test host', types: STUDIO_SUBSCRIPTION_TYPES });
  return sink;
}

describe('sink test', () => {
  it('delivers a signed test event that the receiver verifies', async () => {
    await startReceiver();
    const sink = await api.createWebhookSink({ destinationUrl: destination(), description: 'flowscope:test host' });
    await api.testSink(sink.sid);
    await fake.settled();
    expect(fake.deliveries).toMatchObject([{ sinkSid: sink.sid, outcome: 'acknowledged', attempts: [{ kind: 'status', status: 200 }] }]);
    const [event] = ingest.batches.flatMap((batch) => batch.accepted);
    expect(event).toMatchObject({ kind: 'sink.test', type: SINK_TEST_EVENT, source: 'Sink', testId: expect.any(String) });
    expect(observer.unverified).toEqual([]);
    expect((await api.fetchSink(sink.sid))?.status).toBe('active');
  });

  it('signs for the public (tunnel) URL while reaching the local receiver', async () => {
    const publicBase = 'https://abc123.fake-tunnel.test';
    const localUrl = await startReceiver({ publicUrl: publicBase });
    fake.setDestinationResolver(tunnelResolver(publicBase, localUrl));
    const sink = await api.createWebhookSink({ destinationUrl: destination(), description: 'flowscope:test host' });
    expect(sink.destination).toBe(`${publicBase}/events`);
    await api.testSink(sink.sid);
    await fake.settled();
    expect(fake.deliveries.map((d) => d.outcome)).toEqual(['acknowledged']);
    expect(ingestedIds()).toHaveLength(1);
  });

  it('sends HTTP Basic auth when the destination carries user:pass@, as Twilio does', async () => {
    const publicBase = 'https://flowscope:hunter2pass@abc123.fake-tunnel.test';
    const localUrl = await startReceiver({ publicUrl: publicBase });
    expect(receiver!.info().requiresBasicAuth).toBe(true);
    fake.setDestinationResolver(tunnelResolver(publicBase, localUrl));
    const sink = await api.createWebhookSink({ destinationUrl: `${publicBase}/events`, description: 'flowscope:test host' });
    await api.testSink(sink.sid);
    await fake.settled();
    expect(fake.deliveries.map((d) => d.outcome)).toEqual(['acknowledged']);
    expect(observer.unverified).toEqual([]);
  });

  it('does not retry when the receiver refuses the signature (403 means drop)', async () => {
    await startReceiver({ authToken: '0'.repeat(32) });
    const sink = await api.createWebhookSink({ destinationUrl: destination(), description: 'flowscope:test host' });
    await api.testSink(sink.sid);
    await fake.settled();
    expect(fake.deliveries).toMatchObject([{ outcome: 'rejected', attempts: [{ kind: 'status', status: 403 }] }]);
    expect(observer.unverified).toHaveLength(1);
    expect(ingest.batches).toEqual([]);
  });

  it('fails without touching the network when the destination is not reachable from here', async () => {
    const sink = await api.createWebhookSink({ destinationUrl: 'https://nowhere.example.test/events', description: 'x' });
    await api.testSink(sink.sid);
    await fake.settled();
    expect(fake.deliveries).toMatchObject([{ outcome: 'failed', attempts: expect.arrayContaining([{ kind: 'network', code: 'ENOTFOUND' }]) }]);
  });
});

describe('Studio traffic', () => {
  const traffic = () => [...generateTraffic({ seed: 11, executions: 6, startTime: Date.parse('2025-01-01T10:00:00Z') })];

  it('reaches every subscribed sink, batched, duplicated and reordered, each event at least once', async () => {
    await startReceiver();
    const sink = await subscribedSink(destination());
    const events = traffic();
    const records = await fake.deliver(events, { batchSize: 4, duplicateRate: 0.3, reorderRate: 0.3, seed: 5 });
    expect(records.every((r) => r.sinkSid === sink.sid && r.outcome === 'acknowledged')).toBe(true);
    expect(records.some((r) => r.duplicate)).toBe(true);
    expect(records.some((r) => r.reordered)).toBe(true);
    expect(Math.max(...records.map((r) => r.eventIds.length))).toBe(4);
    expect(new Set(ingestedIds())).toEqual(new Set(events.map((e) => e.id)));
    expect(ingestedIds().length).toBeGreaterThan(events.length);
    expect(observer.unverified).toEqual([]);
  });

  it('sends one event per request to a sink that does not batch, and only subscribed types', async () => {
    await startReceiver();
    await subscribedSink(destination(), false);
    const events = traffic().slice(0, 5);
    const other = { ...events[0]!, id: 'EV-other', type: 'com.twilio.messaging.message.sent' };
    const records = await fake.deliver([...events, other], { batchSize: 10 });
    expect(records.map((r) => r.eventIds)).toEqual(events.map((e) => [e.id]));
  });

  it('retries 503 answers (store busy) until acknowledged', async () => {
    let calls = 0;
    const flaky: IngestPort = {
      ingest: (batch: IngestBatch): Promise<IngestOutcome> => {
        calls++;
        return calls <= 2 ? Promise.reject(new Error('store locked')) : ingest.ingest(batch);
      },
    };
    await startReceiver({ port: flaky });
    await subscribedSink(destination());
    const [event] = traffic();
    const records = await fake.deliver([event!]);
    expect(records).toMatchObject([
      {
        outcome: 'acknowledged',
        attempts: [
          { kind: 'status', status: 503 },
          { kind: 'status', status: 503 },
          { kind: 'status', status: 200 },
        ],
      },
    ]);
    expect(ingestedIds()).toEqual([event!.id]);
  });

  it('delivers nothing after the subscription and sink are removed', async () => {
    await startReceiver();
    const sink = await subscribedSink(destination());
    await api.removeSink(sink.sid);
    expect(await fake.deliver(traffic())).toEqual([]);
  });
});

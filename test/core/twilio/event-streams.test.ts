import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STUDIO_SUBSCRIPTION_TYPES, createEventStreamsApi, type EventStreamsApi } from '../../../src/core/twilio/event-streams.js';
import { formatResourceDescription } from '../../../src/core/twilio/resource-tag.js';
import { createTwilioClient, type TwilioClient } from '../../../src/core/twilio/twilio-client.js';
import { describeTwilioErrorFor } from '../../../src/core/twilio/twilio-errors.js';
import { createFakeTwilio, type FakeTwilio } from '../../fakes/fake-twilio/fake-twilio.js';

const INSTALL = 'install-a';
const tag = (installId = INSTALL) => formatResourceDescription({ installId, host: 'build box', createdAt: new Date('2025-01-01T10:00:00Z') });

let fake: FakeTwilio;
let client: TwilioClient;
let api: EventStreamsApi;
beforeEach(async () => {
  fake = await createFakeTwilio();
  client = createTwilioClient({ accountSid: fake.account.sid, authToken: fake.account.authToken }, { apiBaseUrl: fake.baseUrl });
  api = createEventStreamsApi(client, { pageSize: 2 });
});
afterEach(async () => {
  await fake.close();
});

const newSink = (description = tag(), destinationUrl = 'https://abc.example.test/events') => api.createWebhookSink({ destinationUrl, description });

describe('sinks', () => {
  it('creates a batching POST webhook sink and reads it back', async () => {
    const sink = await newSink();
    expect(sink).toMatchObject({
      sid: expect.stringMatching(/^DG[0-9a-f]{32}$/),
      description: 'flowscope:install-a build-box 2025-01-01T10:00:00.000Z',
      sinkType: 'webhook',
      status: 'initialized',
      destination: 'https://abc.example.test/events',
      method: 'POST',
      batchEvents: true,
    });
    expect(sink.dateCreated).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(fake.requests[0]?.form).toEqual({
      Description: [sink.description],
      SinkConfiguration: ['{"destination":"https://abc.example.test/events","method":"POST","batch_events":true}'],
      SinkType: ['webhook'],
    });
    expect(await api.fetchSink(sink.sid)).toEqual(sink);
  });

  it('lists every page, updates only the description, deletes idempotently', async () => {
    const sinks = await Promise.all([1, 2, 3, 4, 5].map((i) => newSink(`other ${i}`)));
    expect((await api.listSinks()).map((s) => s.sid).sort()).toEqual(sinks.map((s) => s.sid).sort());
    const renamed = await api.updateSinkDescription(sinks[0]!.sid, 'renamed');
    expect(renamed).toMatchObject({ description: 'renamed', destination: sinks[0]!.destination });
    expect(await api.deleteSink(sinks[0]!.sid)).toBe(true);
    expect(await api.deleteSink(sinks[0]!.sid)).toBe(false);
    expect(await api.fetchSink(sinks[0]!.sid)).toBeNull();
    expect(fake.sinks()).toHaveLength(4);
  });

  it('sends a sink test and gets Twilio\'s "submitted"', async () => {
    const sink = await newSink();
    expect(await api.testSink(sink.sid)).toEqual({ result: 'submitted' });
  });
});

describe('subscriptions', () => {
  it('subscribes a sink to the three Studio types at schema version 1', async () => {
    const sink = await newSink();
    const subscription = await api.createSubscription({ sinkSid: sink.sid, description: tag(), types: STUDIO_SUBSCRIPTION_TYPES });
    expect(subscription).toMatchObject({ sid: expect.stringMatching(/^DF[0-9a-f]{32}$/), sinkSid: sink.sid, description: tag() });
    expect(fake.requests.at(-1)?.form.Types).toEqual([
      '{"type":"com.twilio.studio.flow.execution.started","schema_version":1}',
      '{"type":"com.twilio.studio.flow.step.ended","schema_version":1}',
      '{"type":"com.twilio.studio.flow.execution.ended","schema_version":1}',
    ]);
    expect(await api.listSubscribedEvents(subscription.sid)).toEqual(STUDIO_SUBSCRIPTION_TYPES);
    expect(await api.listSubscriptions({ sinkSid: sink.sid })).toEqual([subscription]);
    expect(await api.deleteSubscription(subscription.sid)).toBe(true);
    expect(await api.deleteSubscription(subscription.sid)).toBe(false);
  });

  it('filters the list by sink', async () => {
    const [a, b] = await Promise.all([newSink(), newSink()]);
    const types = STUDIO_SUBSCRIPTION_TYPES;
    await api.createSubscription({ sinkSid: a.sid, description: 'a1', types });
    await api.createSubscription({ sinkSid: a.sid, description: 'a2', types });
    await api.createSubscription({ sinkSid: b.sid, description: 'b1', types });
    expect((await api.listSubscriptions({ sinkSid: a.sid })).map((s) => s.description).sort()).toEqual(['a1', 'a2']);
    expect(await api.listSubscriptions()).toHaveLength(3);
  });

  it('removeSink deletes the subscriptions first, then the sink, and can be repeated', async () => {
    const sink = await newSink();
    const first = await api.createSubscription({ sinkSid: sink.sid, description: tag(), types: STUDIO_SUBSCRIPTION_TYPES });
    const second = await api.createSubscription({ sinkSid: sink.sid, description: tag(), types: STUDIO_SUBSCRIPTION_TYPES });
    // The fake refuses to delete a sink still in use: deleting in the wrong order would show here.
    await expect(api.deleteSink(sink.sid)).rejects.toMatchObject({ status: 400, code: 20001 });
    expect(await api.removeSink(sink.sid)).toEqual({ sinkSid: sink.sid, deletedSubscriptions: [first.sid, second.sid], sinkDeleted: true });
    expect(await api.removeSink(sink.sid)).toEqual({ sinkSid: sink.sid, deletedSubscriptions: [], sinkDeleted: false });
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
  });

  it('lets a caller undo a half-done setup: subscription creation fails, the sink is removed', async () => {
    const sink = await newSink();
    fake.failNext('createSubscription', { status: 500, code: 20500, message: 'Internal Server Error' });
    const failure = await api.createSubscription({ sinkSid: sink.sid, description: tag(), types: STUDIO_SUBSCRIPTION_TYPES }).catch((e: unknown) => e);
    expect(describeTwilioErrorFor(client, failure)).toEqual({ code: 20500, kind: 'twilio', status: 500, message: 'Twilio error 20500: Internal Server Error' });
    await api.removeSink(sink.sid);
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
  });

  it('turns a bad parameter into a Twilio 400 with its message', async () => {
    const sink = await newSink();
    const failure = await api.createSubscription({ sinkSid: sink.sid, description: 'x', types: [{ type: '', schemaVersion: 1 }] }).catch((e: unknown) => e);
    expect(describeTwilioErrorFor(client, failure)).toMatchObject({ code: 20001, status: 400, message: expect.stringContaining('Invalid Types') });
  });
});

describe('findOrphans', () => {
  it("splits Flowscope sinks into this install's and other installs', ignoring everything else", async () => {
    const mine = await newSink(tag());
    const mySubscription = await api.createSubscription({ sinkSid: mine.sid, description: tag(), types: STUDIO_SUBSCRIPTION_TYPES });
    const theirs = await newSink(tag('install-b'));
    const foreign = await newSink('Production analytics sink');
    // A subscription of ours that ended up on a sink that is not tagged as ours.
    const stray = await api.createSubscription({ sinkSid: foreign.sid, description: tag(), types: STUDIO_SUBSCRIPTION_TYPES });
    await api.createSubscription({ sinkSid: foreign.sid, description: 'theirs', types: STUDIO_SUBSCRIPTION_TYPES });

    const found = await api.findOrphans(INSTALL);
    expect(found.own).toEqual([{ sink: mine, tag: { installId: INSTALL, host: 'build-box', createdAt: '2025-01-01T10:00:00.000Z' }, subscriptions: [mySubscription] }]);
    expect(found.otherInstalls.map((t) => [t.sink.sid, t.tag.installId, t.subscriptions.length])).toEqual([[theirs.sid, 'install-b', 0]]);
    expect(found.strayOwnSubscriptions.map((s) => s.sid)).toEqual([stray.sid]);
  });

  it('finds a sink whose creation answer was lost, so it can be removed', async () => {
    fake.failNext('createSink', { network: 'reset-after' });
    const failure = await newSink().catch((e: unknown) => e);
    expect(describeTwilioErrorFor(client, failure)).toMatchObject({ kind: 'network' });
    const found = await api.findOrphans(INSTALL);
    expect(found.own).toHaveLength(1);
    await api.removeSink(found.own[0]!.sink.sid);
    expect(fake.sinks()).toEqual([]);
  });

  it('finds nothing on an account without Flowscope resources', async () => {
    await newSink('someone else');
    expect(await api.findOrphans(INSTALL)).toEqual({ own: [], otherInstalls: [], strayOwnSubscriptions: [] });
  });
});

// Connect end to end: real monitor + receiver, real twilio client against the fake Twilio, the fake
// tunnel really forwarding. Events delivered by the fake (batched, duplicated, reordered) become
// executions; Disconnect leaves nothing in the account.
import { describe, expect, it } from 'vitest';
import { generateTraffic } from '../../../src/core/demo/traffic-generator.js';
import { STUDIO_EVENT_TYPES } from '../../../src/shared/studio-event.js';
import { CONNECTION_STEPS } from '../../../src/shared/contract.js';
import { NGROK_TOKEN, expectNoSecrets, startRig, stepTrail } from './connection-rig.js';

describe('connect and disconnect', () => {
  it('connects step by step, receives Studio traffic, and disconnects leaving nothing behind', async () => {
    const rig = await startRig();
    const { fake, tunnel } = rig;
    const { accountSid, authToken } = fake.authTokenCredentials();

    const status = await rig.call('connection.connect', { accountSid, authToken, ngrokAuthtoken: NGROK_TOKEN });

    expect(status.state).toBe('connected');
    expect(status.error).toBeNull();
    expect(stepTrail(status)).toEqual(CONNECTION_STEPS.slice(0, 8).map((step) => `${step}:done`));
    expect(status).toMatchObject({
      accountSid,
      friendlyName: 'Flowscope test account',
      credentialKind: 'auth-token',
      verification: 'signature',
      eventTypes: [...STUDIO_EVENT_TYPES],
      tunnel: { provider: 'fake', state: 'online', url: tunnel.current!.url },
      publicUrl: tunnel.current!.url,
      destinationUrl: `${tunnel.current!.url}/events`,
      orphans: { removedSinks: 0, otherInstallSinks: 0 },
    });
    expect(status.lastSinkTest?.receivedAt).toEqual(expect.any(String));
    expect(tunnel.openCalls).toEqual([{ localAddr: rig.monitor.receiverState().localUrl!.replace('http://', ''), authtoken: NGROK_TOKEN }]);

    // What exists in the account: one batched POST sink to the tunnel, one subscription, tagged.
    const [sink, ...otherSinks] = fake.sinks();
    expect(otherSinks).toEqual([]);
    expect(sink).toMatchObject({
      sid: status.sinkSid,
      sinkType: 'webhook',
      sinkConfiguration: { destination: `${tunnel.current!.url}/events`, method: 'POST', batch_events: true },
    });
    expect(sink!.description).toMatch(/^flowscope:[A-Za-z0-9_-]+ test-host \d{4}-/);
    const [subscription, ...otherSubscriptions] = fake.subscriptions();
    expect(otherSubscriptions).toEqual([]);
    expect(subscription).toMatchObject({ sid: status.subscriptionSid, sinkSid: sink!.sid, description: sink!.description });
    expect(subscription!.types).toEqual(STUDIO_EVENT_TYPES.map((type) => ({ type, schema_version: 1 })));
    // The test event came through the tunnel and was verified.
    expect(fake.deliveries.map((d) => d.outcome)).toEqual(['acknowledged']);
    expect(tunnel.current!.forwarded).toBe(1);
    expect(rig.monitor.stats.lastSinkTest).not.toBeNull();
    expect(rig.monitor.receiverState()).toMatchObject({ verifiesSignature: true, publicUrl: tunnel.current!.url });

    // Studio traffic, delivered like Event Streams does it.
    const events = [...generateTraffic({ seed: 3, executions: 5, startTime: Date.parse('2025-03-01T09:00:00Z') })];
    const records = await fake.deliver(events, { batchSize: 4, duplicateRate: 0.3, reorderRate: 0.3, seed: 9 });
    expect(records.every((record) => record.outcome === 'acknowledged')).toBe(true);
    expect(records.some((record) => record.duplicate)).toBe(true);
    expect(records.some((record) => record.reordered)).toBe(true);
    const executionSids = new Set(events.map((event) => (event as { data: { execution_sid: string } }).data.execution_sid));
    const listed = await rig.call('executions.list', {});
    expect(listed.total).toBe(executionSids.size);
    expect(new Set(listed.items.map((item) => item.executionSid))).toEqual(executionSids);
    expect(rig.monitor.stats.unverifiedRequests).toBe(0);

    const after = await rig.call('connection.disconnect', {});
    expect(after).toMatchObject({ state: 'idle', sinkSid: null, subscriptionSid: null, tunnel: null, publicUrl: null, verification: 'off' });
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
    expect(tunnel.openTunnels).toEqual([]);
    expect(rig.monitor.receiverState().verifiesSignature).toBe(false);

    // Disconnect is idempotent.
    expect(await rig.call('connection.disconnect', {})).toMatchObject({ state: 'idle' });
    // Progress was pushed: every step's running and done reports reached the UI.
    expect(rig.pushes.some((push) => push.state === 'connecting' && push.steps.at(-1)?.state === 'running')).toBe(true);
    expect(rig.pushes.at(-1)?.state).toBe('idle');
    expectNoSecrets(rig, [authToken, NGROK_TOKEN]);
  });

  it('uses the own public URL instead of a tunnel', async () => {
    const rig = await startRig();
    const { fake } = rig;
    const ownUrl = rig.monitor.receiverState().localUrl!;
    const status = await rig.call('connection.connect', { ...fake.authTokenCredentials(), publicUrl: ownUrl });
    expect(status).toMatchObject({ state: 'connected', tunnel: { provider: 'static', state: 'online' }, destinationUrl: `${ownUrl}/events` });
    expect(rig.tunnel.openCalls).toEqual([]);
    expect(fake.sinks()[0]?.sinkConfiguration.destination).toBe(`${ownUrl}/events`);
    await rig.call('connection.disconnect', {});
    expect(fake.sinks()).toEqual([]);
  });

  it('accepts the same event types chosen in settings, at schema version 1', async () => {
    const rig = await startRig();
    const chosen = ['com.twilio.studio.flow.execution.started', 'com.twilio.studio.flow.execution.ended'];
    await rig.call('settings.set', { eventTypes: chosen });
    const status = await rig.call('connection.connect', { ...rig.fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    expect(status.eventTypes).toEqual(chosen);
    expect(rig.fake.subscriptions()[0]?.types).toEqual(chosen.map((type) => ({ type, schema_version: 1 })));
  });
});

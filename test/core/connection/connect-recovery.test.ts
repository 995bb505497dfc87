// Crash and restart: sinks an earlier run of this install left in the account are found by their
// tag and removed (at Connect, or at start when credentials are remembered); other installs' sinks
// are reported and kept unless the user asks.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_SETTINGS_FILE } from '../../../src/core/connection/connection-settings.js';
import { STUDIO_SUBSCRIPTION_TYPES, createEventStreamsApi } from '../../../src/core/twilio/event-streams.js';
import { formatResourceDescription } from '../../../src/core/twilio/resource-tag.js';
import { createTwilioClient } from '../../../src/core/twilio/twilio-client.js';
import type { FakeTwilio } from '../../fakes/fake-twilio/fake-twilio.js';
import { NGROK_TOKEN, expectNoSecrets, startRig, waitFor } from './connection-rig.js';

function installIdOf(dataDir: string): string {
  const file = JSON.parse(fs.readFileSync(path.join(dataDir, CONNECTION_SETTINGS_FILE), 'utf8')) as { installId: string };
  return file.installId;
}

/** A sink + subscription as an earlier run (or another install) left them, made through the API. */
async function leaveSink(fake: FakeTwilio, installId: string, host: string): Promise<string> {
  const api = createEventStreamsApi(createTwilioClient(fake.authTokenCredentials(), { apiBaseUrl: fake.baseUrl }));
  const description = formatResourceDescription({ installId, host, createdAt: new Date('2025-01-01T00:00:00Z') });
  const sink = await api.createWebhookSink({ destinationUrl: 'https://gone.ngrok-free.app/events', description });
  await api.createSubscription({ sinkSid: sink.sid, description, types: STUDIO_SUBSCRIPTION_TYPES });
  return sink.sid;
}

describe('leftovers of an earlier run', () => {
  it('removes this install’s leftover sink at Connect and keeps another install’s', async () => {
    const rig = await startRig();
    const { fake } = rig;
    const installId = installIdOf(rig.dataDir);
    const ours = await leaveSink(fake, installId, 'crashed-run');
    const theirs = await leaveSink(fake, 'someone-else', 'other-laptop');
    const unrelated = await createEventStreamsApi(createTwilioClient(fake.authTokenCredentials(), { apiBaseUrl: fake.baseUrl })).createWebhookSink({
      destinationUrl: 'https://example.com/hook',
      description: 'My own sink',
    });

    const status = await rig.call('connection.connect', { ...fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    expect(status.state).toBe('connected');
    const cleanup = status.steps.find((step) => step.step === 'cleanup');
    expect(cleanup?.message).toBe(
      'Removed 1 sink and 0 stray subscriptions left by an earlier run; 1 sink of other Flowscope installs left as they are.',
    );
    expect(status.orphans).toEqual({ removedSinks: 1, otherInstallSinks: 1 });
    const sids = fake.sinks().map((sink) => sink.sid);
    expect(sids).not.toContain(ours);
    expect(sids).toEqual(expect.arrayContaining([theirs, unrelated.sid, status.sinkSid]));
    expect(fake.subscriptions().map((s) => s.sinkSid).sort()).toEqual([theirs, status.sinkSid].sort());

    await rig.call('connection.disconnect', {});
    expect(fake.sinks().map((sink) => sink.sid).sort()).toEqual([theirs, unrelated.sid].sort());

    // Asked explicitly, other installs' sinks go too (never someone's own sinks).
    const again = await rig.call('connection.connect', { ...fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN, removeOtherInstalls: true });
    expect(again.orphans).toEqual({ removedSinks: 1, otherInstallSinks: 0 });
    await rig.call('connection.disconnect', {});
    expect(fake.sinks().map((sink) => sink.sid)).toEqual([unrelated.sid]);
  });

  it('keeps the install id across restarts and cleans up at start with remembered credentials', async () => {
    const rig = await startRig();
    const { fake } = rig;
    const installId = installIdOf(rig.dataDir);
    const { accountSid, authToken } = fake.authTokenCredentials();
    const first = await rig.call('connection.connect', { accountSid, authToken, ngrokAuthtoken: NGROK_TOKEN, remember: true });
    expect(first.secrets.stored).toEqual({ 'twilio.authToken': true, 'twilio.apiKeySecret': false, 'ngrok.authtoken': true });
    expect(first.secrets).toMatchObject({ backend: 'file', encrypted: false, canRemember: true });

    // "Crash": the process dies while connected. Its sink stays in the account and the leftover mark
    // stays in the data directory (simulated: an orderly stop would have deleted both).
    const file = path.join(rig.dataDir, CONNECTION_SETTINGS_FILE);
    const beforeStop = fs.readFileSync(file, 'utf8');
    expect(JSON.parse(beforeStop)).toMatchObject({ installId, leftoverAccountSid: accountSid });
    await rig.monitor.stop();
    expect(fake.sinks()).toEqual([]);
    fs.writeFileSync(file, beforeStop);
    const leftover = await leaveSink(fake, installId, 'test-host');
    expect(fake.sinks().map((sink) => sink.sid)).toEqual([leftover]);

    await rig.restart();
    await waitFor(() => fake.sinks().length === 0 && fake.subscriptions().length === 0, 'the clean-up at start');
    expect(installIdOf(rig.dataDir)).toBe(installId);
    await waitFor(() => JSON.parse(fs.readFileSync(file, 'utf8')).leftoverAccountSid === null, 'the leftover mark to clear');

    // The remembered credentials also connect without retyping anything.
    const second = await rig.call('connection.connect', {});
    expect(second).toMatchObject({ state: 'connected', accountSid });
    expectNoSecrets(rig, [authToken, NGROK_TOKEN]);
  });
});

// While connected: a new tunnel URL re-points the sink (new sink + subscription, old ones deleted,
// deliveries arrive through the new URL); forged requests are refused and counted; with an API key
// alone, the sink URL carries a random Basic password instead of a signature check.
import { describe, expect, it } from 'vitest';
import { generateTraffic } from '../../../src/core/demo/traffic-generator.js';
import { signDelivery } from '../../../src/core/receiver/twilio-signature.js';
import { NGROK_TOKEN, expectNoSecrets, startRig, stepTrail, waitFor } from './connection-rig.js';

const traffic = (seed: number) => [...generateTraffic({ seed, executions: 3, startTime: Date.parse('2025-04-01T08:00:00Z') })];

describe('a live connection', () => {
  it('re-points the sink when the tunnel comes back with a new URL', async () => {
    const rig = await startRig();
    const { fake, tunnel } = rig;
    const connected = await rig.call('connection.connect', { ...fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    const firstUrl = tunnel.current!.url;
    const oldSinkSid = connected.sinkSid!;

    tunnel.current!.drop(); // the supervisor rebuilds it; the fake proxy gets a new port, i.e. a new URL
    const repointed = await waitFor(
      () => rig.pushes.find((push) => push.steps.some((step) => step.step === 'repoint' && step.state === 'done')),
      'the re-point',
    );
    const secondUrl = tunnel.current!.url;
    expect(secondUrl).not.toBe(firstUrl);
    expect(repointed).toMatchObject({ state: 'connected', publicUrl: secondUrl, destinationUrl: `${secondUrl}/events` });
    expect(repointed.sinkSid).not.toBe(oldSinkSid);
    expect(stepTrail(repointed).slice(-1)).toEqual(['repoint:done']);
    expect(repointed.steps.at(-1)?.message).toContain(`old sink ${oldSinkSid} deleted; test event arrived`);

    const [sink, ...others] = fake.sinks();
    expect(others).toEqual([]);
    expect(sink).toMatchObject({ sid: repointed.sinkSid, sinkConfiguration: { destination: `${secondUrl}/events` } });
    expect(fake.subscriptions()).toMatchObject([{ sid: repointed.subscriptionSid, sinkSid: sink!.sid }]);
    expect(rig.monitor.receiverState().publicUrl).toBe(secondUrl);

    const events = traffic(21);
    const records = await fake.deliver(events, { batchSize: 2, duplicateRate: 0.2, seed: 4 });
    expect(records.every((record) => record.destination === `${secondUrl}/events` && record.outcome === 'acknowledged')).toBe(true);
    expect((await rig.call('executions.list', {})).total).toBe(3);
    expect(rig.monitor.stats.unverifiedRequests).toBe(0);

    await rig.call('connection.disconnect', {});
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
    expect(tunnel.openTunnels).toEqual([]);
    expectNoSecrets(rig, [fake.account.authToken, NGROK_TOKEN]);
  });

  it('retries a re-point that Twilio refused, and leaves no half-made sink', async () => {
    const rig = await startRig();
    const { fake, tunnel } = rig;
    const connected = await rig.call('connection.connect', { ...fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    fake.failNext('createSubscription', { status: 503, code: 20503, message: 'Service Unavailable' });
    tunnel.current!.drop();
    const failed = await waitFor(() => rig.pushes.find((push) => push.steps.some((step) => step.step === 'repoint' && step.state === 'failed')), 'the failed re-point');
    expect(failed.steps.find((step) => step.state === 'failed')?.message).toMatch(/^Could not re-point the sink to http:\/\/127\.0\.0\.1:\d+: Twilio error 20503: Service Unavailable Retrying in 1 s\.$/);
    expect(failed.sinkSid).toBe(connected.sinkSid);
    const repointed = await waitFor(() => rig.pushes.find((push) => push.steps.some((step) => step.step === 'repoint' && step.state === 'done')), 'the retried re-point');
    expect(fake.sinks().map((sink) => sink.sid)).toEqual([repointed.sinkSid]);
    expect(fake.sinks()[0]?.sinkConfiguration.destination).toBe(`${tunnel.current!.url}/events`);
    await rig.call('connection.disconnect', {});
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
  });

  it('refuses a forged delivery (403), stores nothing, and counts it', async () => {
    const rig = await startRig();
    const { fake, tunnel } = rig;
    await rig.call('connection.connect', { ...fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    const body = JSON.stringify(traffic(5).slice(0, 2));
    // Signed with a guessed token, sent through the public URL like a stranger would.
    const forged = signDelivery('0123456789abcdef0123456789abcdef', `${tunnel.current!.url}/events`, body);
    const response = await fetch(forged.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-twilio-signature': forged.signature },
      body,
    });
    expect(response.status).toBe(403);
    const unsigned = await fetch(rig.deliveryUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(403);
    expect(rig.monitor.stats.unverifiedRequests).toBe(2);
    expect((await rig.call('stats.get', {})).unverifiedRequests).toBe(2);
    expect((await rig.call('executions.list', {})).total).toBe(0);
  });

  it('guards the sink URL with a random Basic password when only an API key is given', async () => {
    const rig = await startRig();
    const { fake, tunnel } = rig;
    const key = fake.apiKeyCredentials();
    const status = await rig.call('connection.connect', { ...key, ngrokAuthtoken: NGROK_TOKEN });
    expect(status).toMatchObject({ state: 'connected', credentialKind: 'api-key', verification: 'basic-auth' });
    expect(status.warnings).toEqual([expect.stringMatching(/^Signatures cannot be checked with an API key alone/)]);
    expect(status.destinationUrl).toBe(`${tunnel.current!.url.replace('http://', 'http://flowscope:***@')}/events`);
    const destination = String(fake.sinks()[0]?.sinkConfiguration.destination);
    const password = decodeURIComponent(new URL(destination).password);
    expect(password.length).toBeGreaterThanOrEqual(32);
    // REST calls used the API key, never the account's token.
    expect(new Set(fake.requests.map((request) => request.username))).toEqual(new Set([key.apiKeySid]));

    const body = JSON.stringify(traffic(8).slice(0, 1));
    const withoutPassword = await fetch(`${tunnel.current!.url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(withoutPassword.status).toBe(401);
    expect(rig.monitor.stats.unverifiedRequests).toBe(1);
    const records = await fake.deliver(traffic(8));
    expect(records.every((record) => record.outcome === 'acknowledged')).toBe(true);
    expectNoSecrets(rig, [key.apiKeySecret, password, NGROK_TOKEN]);
  });
});

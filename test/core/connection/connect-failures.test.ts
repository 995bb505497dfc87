// Connect failing at each stage: a clear message naming the step, and nothing left behind — no sink,
// no subscription, no open tunnel, the receiver's verification as it was.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TunnelError } from '../../../src/core/tunnel/tunnel-provider.js';
import { NGROK_TOKEN, connectionOptions, expectNoSecrets, startRig, stepTrail, waitFor, type Rig } from './connection-rig.js';

function expectNothingLeft(rig: Rig): void {
  expect(rig.fake.sinks()).toEqual([]);
  expect(rig.fake.subscriptions()).toEqual([]);
  expect(rig.tunnel.openTunnels).toEqual([]);
  expect(rig.monitor.receiverState()).toMatchObject({ verifiesSignature: false, publicUrl: null });
}

describe('connect failures', () => {
  it('rejects wrong credentials with Twilio’s code and text, before creating anything', async () => {
    const rig = await startRig();
    const wrongToken = randomBytes(16).toString('hex');
    const status = await rig.call('connection.connect', { accountSid: rig.fake.account.sid, authToken: wrongToken, ngrokAuthtoken: NGROK_TOKEN });
    expect(status.state).toBe('failed');
    expect(status.error).toMatchObject({ step: 'credentials', code: '20003' });
    expect(status.error?.message).toMatch(/^Twilio rejected these credentials \(error 20003: .+\)\. Check the Account SID and Auth Token\.$/);
    expect(stepTrail(status)).toEqual(['credentials:failed']);
    expect(rig.fake.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`GET /2010-04-01/Accounts/${rig.fake.account.sid}.json 401`]);
    expect(rig.tunnel.openCalls).toEqual([]);
    expectNothingLeft(rig);
    expectNoSecrets(rig, [wrongToken, NGROK_TOKEN]);
  });

  it('names a malformed field without echoing it, and calls nobody', async () => {
    const rig = await startRig();
    const pasted = `${rig.fake.account.authToken}x`;
    const status = await rig.call('connection.connect', { accountSid: rig.fake.account.sid, authToken: pasted });
    expect(status.error).toMatchObject({ step: 'credentials', code: 'invalid_credentials' });
    expect(status.error?.message).toBe('The Auth Token must be 32 hexadecimal digits (the value given has 33 characters).');
    expect(rig.fake.requests).toEqual([]);
    expectNoSecrets(rig, [pasted]);
  });

  it('asks for the ngrok authtoken when there is none (the real ngrok adapter, no network)', async () => {
    const rig = await startRig();
    const { tunnelProviderFor: _fake, ...withoutFake } = connectionOptions(rig.fake, rig.tunnel);
    await rig.restart({ connection: withoutFake });
    const status = await rig.call('connection.connect', rig.fake.authTokenCredentials());
    expect(status.error).toMatchObject({ step: 'tunnel', code: 'authtoken-missing' });
    expect(status.error?.message).toMatch(/^add your ngrok authtoken: https:\/\/dashboard\.ngrok\.com/);
    expect(stepTrail(status)).toEqual(['credentials:done', 'receiver:done', 'tunnel:failed', 'undo:done']);
    expectNothingLeft(rig);
  });

  it('reports a tunnel error as the provider words it, with the token masked', async () => {
    const rig = await startRig();
    rig.tunnel.failNextOpen(new TunnelError('ngrok rejected the authtoken (it may have been reset or revoked).', 'authtoken-invalid', 'ERR_NGROK_107'));
    const status = await rig.call('connection.connect', { ...rig.fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    expect(status.error).toMatchObject({ step: 'tunnel', code: 'ERR_NGROK_107', message: 'ngrok rejected the authtoken (it may have been reset or revoked).' });
    expectNothingLeft(rig);
  });

  it('undoes the tunnel and verification when the sink cannot be created', async () => {
    const rig = await startRig();
    rig.fake.failNext('createSink', { status: 500, code: 20500, message: 'Internal Server Error' });
    const status = await rig.call('connection.connect', { ...rig.fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    expect(status.state).toBe('failed');
    expect(status.error).toMatchObject({ step: 'sink', code: '20500', message: 'Twilio did not create the sink: Twilio error 20500: Internal Server Error' });
    expect(stepTrail(status)).toEqual([
      'credentials:done', 'receiver:done', 'tunnel:done', 'verification:done', 'cleanup:done', 'sink:failed', 'undo:done',
    ]);
    expect(rig.tunnel.tunnels).toHaveLength(1);
    expectNothingLeft(rig);
  });

  it('deletes the sink when the subscription cannot be created', async () => {
    const rig = await startRig();
    rig.fake.failNext('createSubscription', { status: 400, code: 20001, message: 'Invalid Types' });
    const status = await rig.call('connection.connect', { ...rig.fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    expect(status.error).toMatchObject({ step: 'subscription', code: '20001' });
    expect(status.error?.message).toContain('Invalid Types');
    expect(status.steps.at(-1)).toMatchObject({ step: 'undo', state: 'done' });
    expect(status.steps.at(-1)?.message).toMatch(/deleted sink DG[0-9a-f]{32}/);
    expect(rig.fake.requests.some((r) => r.operation === 'deleteSink' && r.status === 204)).toBe(true);
    expectNothingLeft(rig);
  });

  it('finds and deletes a sink whose creation answer was lost', async () => {
    const rig = await startRig();
    rig.fake.failNext('createSink', { network: 'reset-after' });
    const status = await rig.call('connection.connect', { ...rig.fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    expect(status.error?.step).toBe('sink');
    expect(status.error?.message).toMatch(/network down/);
    expect(rig.fake.requests.filter((r) => r.operation === 'createSink')).toHaveLength(1);
    expectNothingLeft(rig);
  });

  it('fails at the test step when the test event is refused, says why, and undoes everything', async () => {
    const rig = await startRig();
    const key = rig.fake.apiKeyCredentials();
    const tokenAtConnect = rig.fake.account.authToken;
    const held = rig.tunnel.holdNextOpen();
    const connecting = rig.call('connection.connect', { ...key, authToken: tokenAtConnect, ngrokAuthtoken: NGROK_TOKEN });
    await waitFor(() => rig.pushes.some((p) => p.steps.some((s) => s.step === 'tunnel' && s.state === 'running')), 'the tunnel step');
    // The token is reset in the Console meanwhile: Twilio now signs with another one.
    const newToken = randomBytes(16).toString('hex');
    rig.fake.account.authToken = newToken;
    held.release();
    const status = await connecting;
    expect(status.error).toMatchObject({ step: 'test', code: 'sink_test_timeout' });
    expect(status.error?.message).toMatch(/^Twilio's test event reached Flowscope but failed verification \(1 request\(s\) refused\)/);
    expect(rig.monitor.stats.unverifiedRequests).toBe(1);
    expect(status.steps.at(-1)).toMatchObject({ step: 'undo', state: 'done' });
    expectNothingLeft(rig);
    expectNoSecrets(rig, [tokenAtConnect, newToken, key.apiKeySecret, NGROK_TOKEN]);
  });

  it('cancels a Connect in progress on Disconnect and leaves nothing behind', async () => {
    const rig = await startRig();
    const held = rig.tunnel.holdNextOpen();
    const connecting = rig.call('connection.connect', { ...rig.fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    await waitFor(() => rig.pushes.some((p) => p.steps.some((s) => s.step === 'tunnel' && s.state === 'running')), 'the tunnel step');
    const disconnecting = rig.call('connection.disconnect', {});
    held.release();
    const [connected, disconnected] = await Promise.all([connecting, disconnecting]);
    expect(connected.state).toBe('idle');
    expect(connected.error).toBeNull();
    expect(disconnected.state).toBe('idle');
    expectNothingLeft(rig);
  });

  it('refuses a second Connect while one runs, as a contract error', async () => {
    const rig = await startRig();
    const held = rig.tunnel.holdNextOpen();
    const connecting = rig.call('connection.connect', { ...rig.fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    await waitFor(() => rig.pushes.some((p) => p.state === 'connecting'), 'connecting');
    const second = await rig.invoke('connection.connect', rig.fake.authTokenCredentials());
    expect(second).toEqual({ ok: false, error: { code: 'unavailable', message: 'A Connect is already in progress.' } });
    held.release();
    expect((await connecting).state).toBe('connected');
    const third = await rig.invoke('connection.connect', rig.fake.authTokenCredentials());
    expect(third).toEqual({ ok: false, error: { code: 'unavailable', message: 'Already connected: disconnect first.' } });
  });
});

// A sink that could not be deleted after a tunnel URL change is not forgotten: it is retried while
// connected, deleted at Disconnect, and while any remains the leftover mark stays set so that the
// next start (or Connect) removes it.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_SETTINGS_FILE } from '../../../src/core/connection/connection-settings.js';
import type { FakeTwilio } from '../../fakes/fake-twilio/fake-twilio.js';
import { NGROK_TOKEN, startRig, waitFor, type Rig } from './connection-rig.js';

const SERVER_ERROR = { status: 500, code: 20500, message: 'Internal Server Error' } as const;
/** Long enough that no retry runs during the test: only Disconnect deletes. */
const NO_RETRY_WHILE_CONNECTED = { sinkDeleteRetryMs: 600_000 };

function leftoverMark(dataDir: string): string | null {
  const file = JSON.parse(fs.readFileSync(path.join(dataDir, CONNECTION_SETTINGS_FILE), 'utf8')) as { leftoverAccountSid?: string | null };
  return file.leftoverAccountSid ?? null;
}

function deleteAttempts(fake: FakeTwilio, sinkSid: string): number[] {
  return fake.requests.filter((request) => request.operation === 'deleteSink' && request.path.endsWith(`/${sinkSid}`)).map((request) => request.status);
}

/** Connects, then changes the tunnel URL while the next `failures` sink deletions fail. */
async function repointWithFailedDelete(rig: Rig, failures: number, remember = false): Promise<{ oldSinkSid: string; newSinkSid: string }> {
  const { fake, tunnel } = rig;
  const connected = await rig.call('connection.connect', { ...fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN, remember });
  expect(connected.state).toBe('connected');
  fake.failNext('deleteSink', SERVER_ERROR, failures);
  tunnel.current!.drop();
  const repointed = await waitFor(
    () => rig.pushes.find((push) => push.steps.some((step) => step.step === 'repoint' && step.state === 'done')),
    'the re-point',
  );
  return { oldSinkSid: connected.sinkSid!, newSinkSid: repointed.sinkSid! };
}

describe('a sink left behind by a tunnel URL change', () => {
  it('is reported while connected and deleted at Disconnect, with its subscription', async () => {
    const rig = await startRig({ extra: NO_RETRY_WHILE_CONNECTED });
    const { fake } = rig;
    const { oldSinkSid, newSinkSid } = await repointWithFailedDelete(rig, 1);

    const during = await rig.call('connection.get', {});
    expect(during.state).toBe('connected');
    expect(during.warnings).toEqual([expect.stringContaining(`Could not delete sink ${oldSinkSid}: Twilio error 20500: Internal Server Error`)]);
    expect(during.steps.at(-1)?.message).not.toContain(`old sink ${oldSinkSid} deleted`);
    expect(fake.sinks().map((sink) => sink.sid).sort()).toEqual([oldSinkSid, newSinkSid].sort());

    const disconnected = await rig.call('connection.disconnect', {});
    expect(disconnected).toMatchObject({ state: 'idle', warnings: [] });
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
    expect(deleteAttempts(fake, oldSinkSid)).toEqual([500, 204]);
    expect(leftoverMark(rig.dataDir)).toBeNull();
  });

  it('is retried with backoff while connected, and the warning goes once it is deleted', async () => {
    const rig = await startRig({ extra: { sinkDeleteRetryMs: 5 } });
    const { fake } = rig;
    const { oldSinkSid, newSinkSid } = await repointWithFailedDelete(rig, 2);

    await waitFor(() => fake.sinks().length === 1 && fake.sinks()[0]?.sid === newSinkSid, 'a retry to delete the old sink');
    expect(deleteAttempts(fake, oldSinkSid)).toEqual([500, 500, 204]);
    const status = await waitFor(async () => {
      const current = await rig.call('connection.get', {});
      return current.warnings.length === 0 && current;
    }, 'the warning to be withdrawn');
    expect(status).toMatchObject({ state: 'connected', sinkSid: newSinkSid });
    expect(fake.subscriptions().map((subscription) => subscription.sinkSid)).toEqual([newSinkSid]);

    await rig.call('connection.disconnect', {});
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
  });

  it('includes a sink a failed re-point made and then could not delete', async () => {
    const rig = await startRig({ extra: NO_RETRY_WHILE_CONNECTED });
    const { fake, tunnel } = rig;
    const connected = await rig.call('connection.connect', { ...fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });
    fake.failNext('createSubscription', { status: 503, code: 20503, message: 'Service Unavailable' });
    fake.failNext('deleteSink', SERVER_ERROR);
    tunnel.current!.drop();
    await waitFor(() => rig.pushes.find((push) => push.steps.some((step) => step.step === 'repoint' && step.state === 'done')), 'the retried re-point');
    const status = await rig.call('connection.get', {});
    const halfMade = fake.sinks().map((sink) => sink.sid).filter((sid) => sid !== connected.sinkSid && sid !== status.sinkSid);
    expect(halfMade).toHaveLength(1);
    expect(status.warnings).toEqual([expect.stringContaining(`Could not delete sink ${halfMade[0]}`)]);

    await rig.call('connection.disconnect', {});
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
    expect(leftoverMark(rig.dataDir)).toBeNull();
  });

  it('keeps the leftover mark while it cannot be deleted, so that the next start removes it', async () => {
    const rig = await startRig({ extra: NO_RETRY_WHILE_CONNECTED });
    const { fake } = rig;
    // The re-point's delete and the first delete at Disconnect fail.
    await repointWithFailedDelete(rig, 2, true);

    const disconnected = await rig.call('connection.disconnect', {});
    expect(disconnected.state).toBe('idle');
    const left = fake.sinks().map((sink) => sink.sid);
    expect(left.length).toBeGreaterThan(0);
    for (const sid of left) expect(disconnected.warnings).toContainEqual(expect.stringContaining(`Could not delete sink ${sid}`));
    expect(leftoverMark(rig.dataDir)).toBe(fake.account.sid);

    await rig.restart();
    await waitFor(() => fake.sinks().length === 0 && fake.subscriptions().length === 0, 'the clean-up at start');
    await waitFor(() => leftoverMark(rig.dataDir) === null, 'the leftover mark to clear');
  });
});

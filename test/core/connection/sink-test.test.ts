// The wait for the sink test event: a refused delivery that looks like Twilio's (signed, with
// bodySHA256) means the test event is lost, so the wait ends soon after it; a stranger's request
// to the public URL is refused too but must not cut the wait short and fail the Connect.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createFakeTwilio, type FakeTwilio } from '../../fakes/fake-twilio/fake-twilio.js';
import { NGROK_TOKEN, startRig, waitFor, type Rig } from './connection-rig.js';

/** Short, so that the tests are quick; the junk test waits several times longer than this. */
const GRACE_MS = 100;

/**
 * Stands between the fake Twilio and the tunnel, like a slow path across the internet: while held
 * it answers 503 (Twilio retries), once released it relays each request unchanged (path, query,
 * signature) to the sink's destination.
 */
interface HoldingRelay {
  /** Delivery attempts answered 503 so far. */
  readonly heldAttempts: number;
  release(): void;
}

async function holdDeliveries(fake: FakeTwilio): Promise<HoldingRelay> {
  let held = true;
  let heldAttempts = 0;
  let destinationOrigin = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (held) {
        heldAttempts += 1;
        res.writeHead(503).end();
        return;
      }
      const headers: Record<string, string> = { 'content-type': String(req.headers['content-type'] ?? 'application/json') };
      for (const name of ['x-twilio-signature', 'authorization']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      fetch(`${destinationOrigin}${req.url ?? '/'}`, { method: 'POST', headers, body: Buffer.concat(chunks) }).then(
        async (answer) => res.writeHead(answer.status).end(await answer.text()),
        () => res.writeHead(502).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  onTestFinished(() => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  fake.setDestinationResolver((destination) => {
    const url = new URL(destination);
    destinationOrigin = url.origin;
    return `${relayBase}${url.pathname}`;
  });
  return {
    get heldAttempts() {
      return heldAttempts;
    },
    release: () => {
      held = false;
    },
  };
}

/** A fake Twilio that keeps retrying a delivery (quickly) for as long as a test holds it. */
async function patientFakeTwilio(): Promise<FakeTwilio> {
  const fake = await createFakeTwilio({ retry: { maxAttempts: 100_000, baseDelayMs: 5, maxDelayMs: 20 } });
  onTestFinished(() => fake.close());
  return fake;
}

/** An unsigned POST to the public URL, as a scanner or a curious stranger would send. */
async function postJunk(rig: Rig): Promise<number> {
  const response = await fetch(`${rig.tunnel.current!.url}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ hello: 'world' }),
  });
  return response.status;
}

describe('the sink test wait', () => {
  it('is not cut short by a stranger’s refused request: the Connect still succeeds', async () => {
    const fake = await patientFakeTwilio();
    const relay = await holdDeliveries(fake);
    const rig = await startRig({ fake, extra: { sinkTestRefusalGraceMs: GRACE_MS } });
    const connecting = rig.call('connection.connect', { ...fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN });

    await waitFor(() => relay.heldAttempts > 0, 'the test event to be on its way');
    expect(await postJunk(rig)).toBe(403);
    expect(rig.monitor.stats.unverifiedRequests).toBe(1);
    // Several times the grace a refusal of a Twilio delivery gets: a shortened wait would be over.
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS * 4));
    relay.release();

    const status = await connecting;
    expect(status.error).toBeNull();
    expect(status).toMatchObject({ state: 'connected' });
    expect(status.steps.find((step) => step.step === 'test')).toMatchObject({ state: 'done' });
    expect(rig.monitor.stats.unverifiedRequests).toBe(1);
  });

  it('ends early when Twilio’s own delivery is refused, and counts only that one', async () => {
    const fake = await patientFakeTwilio();
    const relay = await holdDeliveries(fake);
    // Without the refusal the wait would outlast the test.
    const rig = await startRig({ fake, extra: { sinkTestRefusalGraceMs: GRACE_MS, sinkTestTimeoutMs: 600_000 } });
    const heldTunnel = rig.tunnel.holdNextOpen();
    // REST calls go with the API key, so that only the signatures are affected by the reset below.
    const connecting = rig.call('connection.connect', { ...fake.apiKeyCredentials(), authToken: fake.account.authToken, ngrokAuthtoken: NGROK_TOKEN });
    await waitFor(() => rig.pushes.some((p) => p.steps.some((s) => s.step === 'tunnel' && s.state === 'running')), 'the tunnel step');
    // The token is reset in the Console meanwhile: Twilio now signs with another one.
    fake.account.authToken = randomBytes(16).toString('hex');
    heldTunnel.release();

    await waitFor(() => relay.heldAttempts > 0, 'the test event to be on its way');
    expect(await postJunk(rig)).toBe(403);
    relay.release();

    const status = await connecting;
    expect(status.state).toBe('failed');
    expect(status.error).toMatchObject({ step: 'test', code: 'sink_test_timeout' });
    expect(status.error?.message).toMatch(/^Twilio's test event reached Flowscope but failed verification \(1 request\(s\) refused\)/);
    expect(rig.monitor.stats.unverifiedRequests).toBe(2);
    expect(fake.sinks()).toEqual([]);
  }, 10_000); // far less than the 600 s wait: only the refusal can have ended it
});

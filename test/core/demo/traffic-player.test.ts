import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { probeReceiver } from '../../../src/core/demo/delivery-sender.js';
import { playTraffic, type PlayTrafficOptions } from '../../../src/core/demo/traffic-player.js';
import { parsePublicUrl } from '../../../src/core/receiver/public-url.js';
import { verifyTwilioSignature } from '../../../src/core/receiver/twilio-signature.js';
import { parseDelivery } from '../../../src/shared/studio-event.js';

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Answer = (request: Received, attemptOfBody: number) => number | 'hang';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A stand-in receiver: records every request and answers with `answer`'s status. */
async function startReceiver(answer: Answer = () => 200) {
  const received: Received[] = [];
  const attemptsByBody = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(request);
      const attempt = (attemptsByBody.get(request.body) ?? 0) + 1;
      attemptsByBody.set(request.body, attempt);
      const status = answer(request, attempt);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'application/json', ...(status === 429 ? { 'retry-after': '0' } : {}) });
      res.end(JSON.stringify({ status }));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { received, port, url: `http://127.0.0.1:${port}/events`, server };
}

const fast: Partial<PlayTrafficOptions> = {
  rate: Infinity,
  timeScale: 1_000,
  concurrency: 4,
  seed: 5,
  startTime: Date.UTC(2025, 0, 1),
  retry: { baseDelayMs: 1, maxDelayMs: 5 },
  delivery: { duplicateRate: 0.1, reorderRate: 0.1, batchMax: 4 },
};

const eventIds = (requests: Received[]) =>
  requests.flatMap((request) => (JSON.parse(request.body) as { id: string }[]).map((event) => event.id));

describe('playTraffic', () => {
  it('posts JSON arrays of Studio events and counts deliveries, events and duplicates', async () => {
    const receiver = await startReceiver();
    const progress: number[] = [];
    const summary = await playTraffic({
      ...fast,
      url: receiver.url,
      executions: 25,
      onProgress: (p) => progress.push(p.deliveries),
    });

    expect(receiver.received).toHaveLength(summary.deliveries);
    expect(summary.requests).toBe(summary.deliveries);
    expect(summary.acknowledged).toBe(summary.deliveries);
    expect(summary).toMatchObject({ rejected: 0, failed: 0, retries: 0, aborted: false, gaveUp: false, executions: 25 });
    expect(summary.statusCounts).toEqual({ '200': summary.deliveries });
    const ids = eventIds(receiver.received);
    expect(ids).toHaveLength(summary.events);
    expect(new Set(ids).size).toBe(summary.distinctEvents);
    expect(summary.events - summary.distinctEvents).toBe(summary.duplicateEvents);
    expect(summary.duplicateDeliveries).toBeGreaterThan(0);
    expect(summary.acknowledgedEventIds).toEqual(new Set(ids));
    expect(progress.at(-1)).toBe(summary.deliveries);
    for (const request of receiver.received) {
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers['x-twilio-signature']).toBeUndefined();
      expect(request.url).toBe('/events');
      const parsed = parseDelivery(JSON.parse(request.body));
      expect(parsed?.rejected).toEqual([]);
      expect(parsed?.accepted.length).toBeGreaterThan(0);
    }
  });

  it('retries a delivery answered 503 or 429, like Twilio', async () => {
    const receiver = await startReceiver((_, attempt) => (attempt === 1 ? 503 : attempt === 2 ? 429 : 200));
    const summary = await playTraffic({ ...fast, url: receiver.url, executions: 5, delivery: { duplicateRate: 0 } });
    expect(summary.acknowledged).toBe(summary.deliveries);
    expect(summary.retries).toBe(2 * summary.deliveries);
    expect(summary.requests).toBe(3 * summary.deliveries);
    expect(summary.statusCounts).toEqual({ '503': summary.deliveries, '429': summary.deliveries, '200': summary.deliveries });
    expect(summary.acknowledgedEventIds.size).toBe(summary.distinctEvents);
  });

  it('never retries a 4xx other than 429: the delivery is dropped', async () => {
    const receiver = await startReceiver(() => 400);
    const summary = await playTraffic({ ...fast, url: receiver.url, executions: 4 });
    expect(summary.rejected).toBe(summary.deliveries);
    expect(summary.requests).toBe(summary.deliveries);
    expect(summary.retries).toBe(0);
    expect(summary.acknowledgedEventIds.size).toBe(0);
    expect(summary.lastError).toBe('400');
  });

  it('gives up a delivery after the last attempt', async () => {
    const receiver = await startReceiver(() => 500);
    const summary = await playTraffic({
      ...fast,
      url: receiver.url,
      executions: 2,
      retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 },
    });
    expect(summary.failed).toBe(summary.deliveries);
    expect(summary.requests).toBe(3 * summary.deliveries);
  });

  it('retries a delivery the receiver does not answer within the time-out', async () => {
    const receiver = await startReceiver((_, attempt) => (attempt === 1 ? 'hang' : 200));
    const summary = await playTraffic({
      ...fast,
      url: receiver.url,
      executions: 1,
      scenarioWeights: { ivr: 0, messaging: 0, failure: 0, whatsapp: 0 },
      delivery: { duplicateRate: 0, batchMax: 1 },
      timeoutMs: 100,
    });
    expect(summary.acknowledged).toBe(summary.deliveries);
    expect(summary.statusCounts.network).toBe(summary.deliveries);
  });

  it('signs each delivery for the URL it posts to (bodySHA256 appended), verifiable by twilio', async () => {
    const receiver = await startReceiver();
    const authToken = 'test_auth_token_0123456789abcdef';
    const summary = await playTraffic({ ...fast, url: receiver.url, authToken, executions: 5 });
    expect(summary.acknowledged).toBe(summary.deliveries);
    for (const request of receiver.received) {
      expect(request.url).toMatch(/^\/events\?bodySHA256=[0-9a-f]{64}$/);
      const signature = String(request.headers['x-twilio-signature']);
      const url = `http://127.0.0.1:${receiver.port}${request.url}`;
      expect(twilio.validateRequestWithBody(authToken, signature, url, request.body)).toBe(true);
      expect(twilio.validateRequestWithBody('another_token', signature, url, request.body)).toBe(false);
    }
  });

  it('with a public URL: signs for the public URL, posts to the local one with the same query', async () => {
    const receiver = await startReceiver();
    const authToken = 'test_auth_token_0123456789abcdef';
    for (const publicUrl of ['https://demo-1234.ngrok-free.app', 'https://demo-1234.ngrok-free.app/events/']) {
      receiver.received.length = 0;
      await playTraffic({ ...fast, url: receiver.url, authToken, publicUrl, executions: 2 });
      expect(receiver.received.length).toBeGreaterThan(0);
      for (const request of receiver.received) {
        const signature = String(request.headers['x-twilio-signature']);
        expect(request.url).toMatch(/^\/events\?bodySHA256=/);
        const publicTarget = `https://demo-1234.ngrok-free.app${request.url}`;
        expect(twilio.validateRequestWithBody(authToken, signature, publicTarget, request.body)).toBe(true);
        const local = `http://127.0.0.1:${receiver.port}${request.url}`;
        expect(twilio.validateRequestWithBody(authToken, signature, local, request.body)).toBe(false);
      }
    }
  });

  it('sends Basic auth for user:pass@ in the public URL, and the receiver’s verifier accepts the signature', async () => {
    const receiver = await startReceiver();
    const authToken = 'test_auth_token_0123456789abcdef';
    const publicUrl = 'https://twilio:s%40cret@demo-1234.ngrok-free.app';
    await playTraffic({ ...fast, url: receiver.url, authToken, publicUrl, executions: 2 });
    const { signingBases } = parsePublicUrl(publicUrl);
    for (const request of receiver.received) {
      expect(request.headers.authorization).toBe(`Basic ${Buffer.from('twilio:s@cret').toString('base64')}`);
      const candidates = signingBases.map((base) => base + request.url);
      const check = verifyTwilioSignature(authToken, request.headers['x-twilio-signature'] as string, candidates, request.body);
      expect(check.ok).toBe(true);
    }
  });

  it('stops when aborted and reports it', async () => {
    const controller = new AbortController();
    const receiver = await startReceiver((_, __) => {
      controller.abort();
      return 200;
    });
    const summary = await playTraffic({ ...fast, url: receiver.url, executions: 200, signal: controller.signal });
    expect(summary.aborted).toBe(true);
    expect(summary.deliveries).toBeLessThan(50);
    expect(summary.acknowledged + summary.abortedDeliveries).toBe(summary.deliveries);
  });

  it('gives up after consecutive failures when nothing listens', async () => {
    const closed = await startReceiver();
    await new Promise((resolve) => closed.server.close(resolve));
    const summary = await playTraffic({
      ...fast,
      url: closed.url,
      executions: 200,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 },
      maxConsecutiveFailures: 3,
    });
    expect(summary.gaveUp).toBe(true);
    expect(summary.failed).toBeGreaterThanOrEqual(3);
    expect(summary.lastError).toBe('ECONNREFUSED');
    expect(summary.acknowledged).toBe(0);
    expect(await probeReceiver(closed.url)).toEqual({ ok: false, code: 'ECONNREFUSED' });
  });

  it('is reproducible: the same seed and start time send the same events', async () => {
    const first = await startReceiver();
    const second = await startReceiver();
    await playTraffic({ ...fast, concurrency: 1, url: first.url, executions: 6 });
    await playTraffic({ ...fast, concurrency: 1, url: second.url, executions: 6 });
    expect(second.received.map((r) => r.body)).toEqual(first.received.map((r) => r.body));
    expect(await probeReceiver(first.url)).toEqual({ ok: true });
  });

  it('rejects nonsensical options before sending anything', async () => {
    await expect(playTraffic({ url: 'http://127.0.0.1:9/events', rate: 0 })).rejects.toThrow(RangeError);
    await expect(playTraffic({ url: 'ftp://127.0.0.1/events' })).rejects.toThrow(TypeError);
  });
});

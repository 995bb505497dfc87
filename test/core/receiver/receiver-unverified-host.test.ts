/**
 * With no auth token configured, the receiver takes unsigned deliveries only when they are
 * addressed to this machine or to the configured public URL: a forgotten tunnel, a proxy, or a
 * DNS-rebinding web page (Host = the attacker's name) cannot inject events.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startHarness, startedEvent, type Harness } from './receiver-harness.js';

const harnesses: Harness[] = [];
afterEach(async () => {
  await Promise.all(harnesses.splice(0).map((h) => h.receiver.stop()));
});

function postWithHost(url: string, host: string, body: string, headers: Record<string, string> = {}, path?: string): Promise<number> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: target.hostname, port: target.port, path: path ?? target.pathname, method: 'POST', headers: { host, 'content-type': 'application/json', ...headers } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function start(options: Parameters<typeof startHarness>[0] = {}) {
  const harness = await startHarness(options);
  harnesses.push(harness);
  return harness;
}

describe('unsigned deliveries without an auth token', () => {
  const body = JSON.stringify([startedEvent()]);

  it('are accepted on loopback names', async () => {
    const h = await start();
    const port = new URL(h.origin).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect(await postWithHost(h.deliveryUrl, host, body)).toBe(200);
    }
  });

  it('are refused for any other Host (DNS rebinding, a stray tunnel) and nothing is stored', async () => {
    const h = await start();
    expect(await postWithHost(h.deliveryUrl, 'attacker.example', body)).toBe(403);
    expect(await postWithHost(h.deliveryUrl, 'abc.ngrok-free.app', body)).toBe(403);
    expect(h.ingest.batches).toHaveLength(0);
    expect(h.observer.unverified.map((u) => u.reason)).toEqual([
      'unsigned delivery from or to a non-local address while no auth token is configured',
      'unsigned delivery from or to a non-local address while no auth token is configured',
    ]);
  });

  it('are refused on a loopback name when a proxy or tunnel relayed them (ngrok adds X-Forwarded-For)', async () => {
    const h = await start();
    const port = new URL(h.origin).port;
    expect(await postWithHost(h.deliveryUrl, `127.0.0.1:${port}`, body, { 'x-forwarded-for': '203.0.113.7' })).toBe(403);
    expect(await postWithHost(h.deliveryUrl, `localhost:${port}`, body, { via: '1.1 nginx' })).toBe(403);
    expect(h.ingest.batches).toHaveLength(0);
  });

  it('answer 503 (Twilio retries) to a Twilio-signed delivery while no token is configured, storing nothing', async () => {
    const h = await start();
    const status = await postWithHost(h.deliveryUrl, 'abc.ngrok-free.app', body, { 'x-twilio-signature': 'c2lnbmF0dXJl' }, '/events?bodySHA256=abc');
    expect(status).toBe(503);
    expect(h.ingest.batches).toHaveLength(0);
    expect(h.observer.unverified[0]?.looksLikeTwilio).toBe(true);
  });

  it('are accepted for the configured public URL host', async () => {
    const h = await start({ publicUrl: 'https://flowscope.example.com' });
    expect(await postWithHost(h.deliveryUrl, 'flowscope.example.com', body)).toBe(200);
    expect(await postWithHost(h.deliveryUrl, 'other.example.com', body)).toBe(403);
  });
});

describe('hostile batch sizes', () => {
  it('keeps and echoes at most 100 rejected items of one delivery, counting the rest', async () => {
    const h = await start();
    const body = JSON.stringify([startedEvent(), ...Array.from({ length: 1_000 }, () => ({}))]);
    const response = await fetch(h.deliveryUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(200);
    const ack = (await response.json()) as { accepted: number; rejected: unknown[]; rejectedTotal: number };
    expect(ack.accepted).toBe(1);
    expect(ack.rejected).toHaveLength(100);
    expect(ack.rejectedTotal).toBe(1_000);
    expect(h.ingest.batches[0]?.rejected).toHaveLength(100);
    expect(h.ingest.batches[0]?.rejectedNotKept).toBe(900);
  });

  it('refuses more than 5,000 events in one delivery', async () => {
    const h = await start();
    const body = JSON.stringify(Array.from({ length: 5_001 }, () => ({})));
    const response = await fetch(h.deliveryUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(response.status).toBe(413);
    expect(h.ingest.batches).toHaveLength(0);
  });
});

describe('memory held by slow uploads', () => {
  it('answers 503 (Twilio retries) once all bodies being read together pass the budget', async () => {
    const { BodyBudget, readRawBody } = await import('../../../src/core/receiver/request-body.js');
    const { PassThrough } = await import('node:stream');
    const budget = new BodyBudget(1_000);
    const slow = new PassThrough();
    const slowRead = readRawBody(Object.assign(slow, { headers: {} }) as never, 10_000, budget);
    slow.write(Buffer.alloc(800)); // a slow upload holds 800 bytes and does not finish
    await new Promise((resolve) => setImmediate(resolve));
    const second = new PassThrough();
    const secondRead = readRawBody(Object.assign(second, { headers: {} }) as never, 10_000, budget);
    second.write(Buffer.alloc(300));
    expect(await secondRead).toEqual({ kind: 'busy' });
    slow.end();
    expect((await slowRead).kind).toBe('ok');
    expect(budget.used).toBe(0);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { deferred, postJson, startHarness, startedEvent, stepEvent, type Harness } from './receiver-harness.js';

let harness: Harness;
afterEach(async () => {
  await harness?.receiver.stop();
});

async function expectJsonError(response: Response, status: number, code: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
}

describe('receiver: deliveries', () => {
  it('stores a single CloudEvent object and answers after ingest', async () => {
    harness = await startHarness();
    const response = await postJson(harness.deliveryUrl, JSON.stringify(startedEvent()));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 1, stored: 1, duplicates: 0, rejected: [] });
    expect(harness.ingest.batches).toHaveLength(1);
    const batch = harness.ingest.batches[0]!;
    expect(batch.accepted.map((e) => [e.id, e.kind])).toEqual([['EV-started-1', 'execution.started']]);
    expect(batch.rejected).toEqual([]);
    expect(batch.receivedAt).toBeInstanceOf(Date);
  });

  it('stores an array and reports duplicates on redelivery', async () => {
    harness = await startHarness();
    const body = JSON.stringify([startedEvent(), stepEvent()]);
    const first = await postJson(harness.deliveryUrl, body);
    expect(await first.json()).toEqual({ accepted: 2, stored: 2, duplicates: 0, rejected: [] });
    const again = await postJson(harness.deliveryUrl, body);
    expect(await again.json()).toEqual({ accepted: 2, stored: 0, duplicates: 2, rejected: [] });
  });

  it('accepts the CloudEvents media types and a charset', async () => {
    harness = await startHarness();
    for (const type of ['application/cloudevents-batch+json', 'application/cloudevents+json', 'Application/JSON; charset="UTF-8"']) {
      const response = await postJson(harness.deliveryUrl, JSON.stringify([stepEvent(`EV-${type}`)]), { 'content-type': type });
      expect(response.status, type).toBe(200);
    }
  });

  it('answers 200 to an empty array and stores nothing', async () => {
    harness = await startHarness();
    const response = await postJson(harness.deliveryUrl, '[]');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 0, stored: 0, duplicates: 0, rejected: [] });
    expect(harness.ingest.batches).toHaveLength(0);
  });

  it('keeps the valid events of a mixed batch and sets the invalid ones aside with reasons', async () => {
    harness = await startHarness();
    const noData = { ...startedEvent('EV-bad-data'), data: { flow_sid: 'FW1' } };
    const body = JSON.stringify([startedEvent(), 42, { id: 'EV-no-spec' }, noData, stepEvent()]);
    const response = await postJson(harness.deliveryUrl, body);
    expect(response.status).toBe(200);
    const ack = (await response.json()) as { accepted: number; rejected: { index: number; id: string | null; reason: string }[] };
    expect(ack.accepted).toBe(2);
    expect(ack.rejected.map((r) => [r.index, r.id])).toEqual([
      [1, null],
      [2, 'EV-no-spec'],
      [3, 'EV-bad-data'],
    ]);
    for (const rejected of ack.rejected) expect(rejected.reason.length).toBeGreaterThan(0);
    expect(ack.rejected[2]!.reason).toContain('execution_sid');
    const batch = harness.ingest.batches[0]!;
    expect(batch.accepted.map((e) => e.id)).toEqual(['EV-started-1', 'EV-step-1']);
    expect(batch.rejected.map((r) => r.index)).toEqual([1, 2, 3]);
    expect(batch.rejected[0]!.raw).toBe(42);
  });

  it('answers 415 to other content types and encodings', async () => {
    harness = await startHarness();
    const body = JSON.stringify(startedEvent());
    const variants: Record<string, string>[] = [
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'application/json; charset=latin1' },
      { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    ];
    for (const headers of variants) {
      await expectJsonError(await postJson(harness.deliveryUrl, body, headers), 415, 'unsupported_media_type');
    }
    const none = await fetch(harness.deliveryUrl, { method: 'POST', body: new Uint8Array(Buffer.from(body)) });
    await expectJsonError(none, 415, 'unsupported_media_type');
    expect(harness.ingest.batches).toHaveLength(0);
    expect(harness.observer.badRequests.every((r) => r.status === 415)).toBe(true);
  });

  it('answers 413 to a body over the limit, declared or chunked', async () => {
    harness = await startHarness({ maxBodyBytes: 1024 });
    const big = JSON.stringify([{ ...startedEvent(), padding: 'x'.repeat(2000) }]);
    await expectJsonError(await postJson(harness.deliveryUrl, big), 413, 'payload_too_large');
    const chunks = [new TextEncoder().encode(big.slice(0, 800)), new TextEncoder().encode(big.slice(800))];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    const chunked = await fetch(harness.deliveryUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    await expectJsonError(chunked, 413, 'payload_too_large');
    // the receiver still serves
    expect((await postJson(harness.deliveryUrl, JSON.stringify(startedEvent()))).status).toBe(200);
  });

  it('answers 400 to a body that is not JSON, not UTF-8, too deep, or not CloudEvents', async () => {
    harness = await startHarness();
    await expectJsonError(await postJson(harness.deliveryUrl, '{"id": '), 400, 'invalid_json');
    await expectJsonError(await postJson(harness.deliveryUrl, ''), 400, 'invalid_json');
    for (const scalar of ['42', '"text"', 'null', 'true']) {
      await expectJsonError(await postJson(harness.deliveryUrl, scalar), 400, 'not_cloudevents');
    }
    const malformed = new Uint8Array([0x5b, 0x22, 0xc3, 0x28, 0x22, 0x5d]); // ["\xC3("]
    const response = await fetch(harness.deliveryUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: malformed,
    });
    await expectJsonError(response, 400, 'invalid_encoding');
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    await expectJsonError(await postJson(harness.deliveryUrl, deep), 400, 'too_deep');
    expect(harness.ingest.batches).toHaveLength(0);
    expect(harness.observer.badRequests.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 400, 400, 400]);
  });

  it('never merges hostile keys into objects', async () => {
    harness = await startHarness();
    const body =
      '[{"specversion":"1.0","id":"EV-proto","type":"x.custom","source":"s","__proto__":{"polluted":true},' +
      '"constructor":{"prototype":{"polluted":true}},"data":{"__proto__":{"polluted":true}}}]';
    const response = await postJson(harness.deliveryUrl, body);
    expect(response.status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const event = harness.ingest.batches[0]!.accepted[0]!;
    expect(event.kind).toBe('other');
    expect(Object.getPrototypeOf(event.raw)).toBe(Object.prototype);
    expect((event.raw as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers 503 with Retry-After when ingest fails, never 4xx', async () => {
    harness = await startHarness();
    harness.ingest.failWith = new Error('SQLITE_FULL: /home/user/secret/path');
    const response = await postJson(harness.deliveryUrl, JSON.stringify([startedEvent()]));
    expect(response.headers.get('retry-after')).toBe('5');
    const text = await response.clone().text();
    expect(text).not.toContain('secret');
    await expectJsonError(response, 503, 'store_unavailable');
  });

  it('does not answer before ingest resolves', async () => {
    harness = await startHarness();
    const gate = deferred<void>();
    harness.ingest.gate = gate;
    let answered = false;
    const pending = postJson(harness.deliveryUrl, JSON.stringify([startedEvent()])).then((r) => {
      answered = true;
      return r;
    });
    await harness.ingest.called();
    // Full round trips through the same server: had the answer been sent, it would be in by now.
    for (let i = 0; i < 3; i++) expect((await fetch(harness.origin + '/')).status).toBe(200);
    expect(answered).toBe(false);
    gate.resolve();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(answered).toBe(true);
  });
});

describe('receiver: other routes and headers', () => {
  it('answers a fixed health JSON on / and on the path, with no leaks', async () => {
    harness = await startHarness({ authToken: 'token-that-must-not-leak', publicUrl: 'https://u:p@example.test' });
    for (const url of [harness.origin + '/', harness.deliveryUrl]) {
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true, service: 'flowscope-receiver' });
      expect(response.headers.get('x-powered-by')).toBeNull();
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers 405 to other methods on the path and 404 JSON elsewhere', async () => {
    harness = await startHarness();
    for (const method of ['PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(harness.deliveryUrl, { method });
      expect(response.headers.get('allow')).toBe('GET, HEAD, POST');
      await expectJsonError(response, 405, 'method_not_allowed');
    }
    const notFound = await postJson(`${harness.origin}/<script>alert(1)</script>`, '[]');
    expect(await notFound.clone().text()).not.toContain('<script>');
    await expectJsonError(notFound, 404, 'not_found');
    await expectJsonError(await fetch(`${harness.origin}/%E0%A4%A`), 404, 'not_found');
  });

  it('answers the same on the direct route (exact path, query or not) and through express (the variants express matches)', async () => {
    harness = await startHarness();
    const targets = [harness.deliveryUrl, `${harness.deliveryUrl}?bodySHA256=x`, `${harness.deliveryUrl}/`, `${harness.origin}/EVENTS`];
    const answers = [];
    for (const [i, url] of targets.entries()) {
      const response = await postJson(url, JSON.stringify(stepEvent(`EV-route-${i}`)));
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(response.headers.get('x-powered-by')).toBeNull();
      answers.push({ status: response.status, body: (await response.json()) as unknown });
    }
    expect(answers).toEqual(targets.map(() => ({ status: 200, body: { accepted: 1, stored: 1, duplicates: 0, rejected: [] } })));
    expect(harness.ingest.batches.map((b) => b.accepted[0]?.id)).toEqual(targets.map((_, i) => `EV-route-${i}`));
    // a bad request is answered alike on both routes
    for (const url of [harness.deliveryUrl, `${harness.deliveryUrl}/`]) await expectJsonError(await postJson(url, '{nope'), 400, 'invalid_json');
  });

  it('serves deliveries on a custom path', async () => {
    harness = await startHarness({ path: '/hooks/twilio' });
    expect((await postJson(harness.deliveryUrl, JSON.stringify(stepEvent()))).status).toBe(200);
    expect((await postJson(`${harness.origin}/events`, '[]')).status).toBe(404);
  });
});

// start/stop over real sockets: draining in-flight deliveries, 503 to what arrives while stopping.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createReceiver } from '../../../src/core/receiver/receiver.js';
import { deferred, postJson, RecordingIngest, startHarness, startedEvent, type Harness } from './receiver-harness.js';

let harness: Harness;
afterEach(async () => {
  await harness?.receiver.stop();
});

function rawRequest(body: string): string {
  return `POST /events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** Everything the server sends on a socket until it closes it. */
function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('close', () => resolve(text));
    socket.on('error', () => undefined);
  });
}

async function openSocket(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  return socket;
}

describe('receiver lifecycle', () => {
  it('reports its port and local URL, and info() says listening', async () => {
    const receiver = createReceiver({ port: 0, ingest: new RecordingIngest() });
    expect(receiver.info()).toMatchObject({ state: 'idle', port: null, localUrl: null, path: '/events' });
    const { port, localUrl } = await receiver.start();
    expect(port).toBeGreaterThan(0);
    expect(localUrl).toBe(`http://127.0.0.1:${port}`);
    expect(await receiver.start()).toEqual({ port, localUrl }); // idempotent
    expect(receiver.info()).toMatchObject({ state: 'listening', port, localUrl, verifiesSignature: false, publicUrl: null });
    await receiver.stop();
    expect(receiver.info().state).toBe('idle');
    await expect(fetch(`${localUrl}/`)).rejects.toThrow();
    await receiver.stop(); // idempotent
    const again = await receiver.start(); // restartable
    expect((await fetch(`${again.localUrl}/`)).status).toBe(200);
    await receiver.stop();
  });

  it('refuses a path that express would read as a pattern, or with an empty segment', () => {
    expect(() => createReceiver({ ingest: new RecordingIngest(), path: '/events/:id' })).toThrow(TypeError);
    expect(() => createReceiver({ ingest: new RecordingIngest(), path: 'events' })).toThrow(TypeError);
    // an empty segment: the direct route would match it exactly where express's router would not
    expect(() => createReceiver({ ingest: new RecordingIngest(), path: '//' })).toThrow(TypeError);
    expect(() => createReceiver({ ingest: new RecordingIngest(), path: '/hooks//twilio' })).toThrow(TypeError);
  });

  it('lets an in-flight delivery finish, then closes', async () => {
    harness = await startHarness();
    const gate = deferred<void>();
    harness.ingest.gate = gate;
    const pending = postJson(harness.deliveryUrl, JSON.stringify([startedEvent()]));
    await harness.ingest.called();
    let stopped = false;
    const stopping = harness.receiver.stop().then(() => (stopped = true));
    expect(harness.receiver.info().state).toBe('stopping');
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);
    gate.resolve();
    expect((await pending).status).toBe(200);
    await stopping;
    expect(stopped).toBe(true);
  });

  it('answers 503 (Connection: close) to a request that arrives while stopping', async () => {
    harness = await startHarness();
    const port = Number(new URL(harness.origin).port);
    const gate = deferred<void>();
    harness.ingest.gate = gate;
    // Connection 1 keeps the server in its grace period with a delivery waiting on ingest.
    const first = await openSocket(port);
    const firstText = readUntilClosed(first);
    first.write(rawRequest(JSON.stringify([startedEvent('EV-1')])));
    await harness.ingest.called();
    // Connection 2 has begun a request (headers incomplete) when stop() starts.
    const late = rawRequest(JSON.stringify([startedEvent('EV-late')]));
    const second = await openSocket(port);
    const secondText = readUntilClosed(second);
    second.write(late.slice(0, 20));
    expect((await fetch(harness.origin + '/')).status).toBe(200); // a round trip: the server has read those bytes
    const stopping = harness.receiver.stop();
    second.write(late.slice(20));
    const answer = await secondText;
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer.toLowerCase()).toContain('retry-after: 5');
    expect(answer).toContain('"error":"shutting_down"');
    gate.resolve();
    expect(await firstText).toMatch(/^HTTP\/1\.1 200 /);
    await stopping;
    expect(harness.ingest.batches.map((b) => b.accepted[0]?.id)).toEqual(['EV-1']);
  });

  it('gives up on deliveries that outlast the grace time', async () => {
    harness = await startHarness({ shutdownGraceMs: 20 });
    harness.ingest.gate = deferred<void>(); // never resolved
    const pending = postJson(harness.deliveryUrl, JSON.stringify([startedEvent()])).then(
      (r) => r.status,
      () => 'connection closed',
    );
    await harness.ingest.called();
    await harness.receiver.stop();
    expect(await pending).toBe('connection closed'); // no 2xx for what was never committed
  });
});

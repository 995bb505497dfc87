import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type ClientOptions } from 'ws';
import { attachWebSocketBridge, type WebSocketBridge, type WebSocketBridgeOptions } from '../../src/server/ws-bridge.js';
import { createFakeContractHost, type FakeContractHost } from '../main/fake-contract-host.js';

const TOKEN = 'test-token-0123456789';

interface Harness {
  server: Server;
  bridge: WebSocketBridge;
  host: FakeContractHost;
  port: number;
  origin: string;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(overrides: Partial<WebSocketBridgeOptions> = {}): Promise<Harness> {
  const server = createServer((_request, response) => response.end('plain http'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = createFakeContractHost();
  const origin = `http://127.0.0.1:${port}`;
  const bridge = attachWebSocketBridge({ server, host, token: TOKEN, allowedOrigins: [origin], path: '/ws', ...overrides });
  cleanups.push(async () => {
    await bridge.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  });
  return { server, bridge, host, port, origin };
}

/** A connected client with a message inbox, or the HTTP status the upgrade was refused with. */
interface Client {
  ws: WebSocket;
  inbox: unknown[];
  next(): Promise<unknown>;
  send(message: unknown): void;
  closed: Promise<number>;
}

function connect(url: string, options: ClientOptions = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const inbox: unknown[] = [];
    const waiters: ((message: unknown) => void)[] = [];
    const closed = new Promise<number>((resolveClosed) => ws.on('close', (code) => resolveClosed(code)));
    ws.on('message', (data) => {
      const message: unknown = JSON.parse(String(data));
      const waiter = waiters.shift();
      if (waiter) waiter(message);
      else inbox.push(message);
    });
    ws.on('unexpected-response', (_request, response) => reject(new Error(`refused ${response.statusCode}`)));
    ws.on('error', reject);
    ws.on('open', () => {
      cleanups.push(async () => {
        ws.terminate();
      });
      resolve({
        ws,
        inbox,
        closed,
        next: () => (inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((r) => waiters.push(r))),
        send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
      });
    });
  });
}

const wsUrl = (h: Harness, token: string | null = TOKEN, path = '/ws') =>
  `ws://127.0.0.1:${h.port}${path}${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;

describe('attachWebSocketBridge: handshake', () => {
  it('refuses a missing or wrong token with 401', async () => {
    const h = await start();
    await expect(connect(wsUrl(h, null), { origin: h.origin })).rejects.toThrow('refused 401');
    await expect(connect(wsUrl(h, 'wrong'), { origin: h.origin })).rejects.toThrow('refused 401');
    await expect(connect(wsUrl(h, `${TOKEN}x`), { origin: h.origin })).rejects.toThrow('refused 401');
    expect(h.bridge.clientCount()).toBe(0);
  });

  it('refuses a foreign Origin with 403 even with the token', async () => {
    const h = await start();
    await expect(connect(wsUrl(h), { origin: 'https://evil.example' })).rejects.toThrow('refused 403');
    await expect(connect(wsUrl(h), { origin: 'null' })).rejects.toThrow('refused 403');
    await expect(connect(wsUrl(h), { origin: `http://127.0.0.1:${h.port + 1}` })).rejects.toThrow('refused 403');
  });

  it('accepts the own origin, and a non-browser client (no Origin) with the token', async () => {
    const h = await start();
    await connect(wsUrl(h), { origin: h.origin });
    await connect(wsUrl(h));
    expect(h.bridge.clientCount()).toBe(2);
  });

  it('refuses other paths with 404 and a bad Host header with 403', async () => {
    let port = 0;
    const h = await start({ isAllowedHost: (header) => header === `127.0.0.1:${port}` });
    port = h.port;
    await expect(connect(wsUrl(h, TOKEN, '/other'))).rejects.toThrow('refused 404');
    await connect(wsUrl(h));
    await expect(connect(wsUrl(h), { headers: { host: `rebind.example:${h.port}` } })).rejects.toThrow('refused 403');
  });

  it('accepts an origin predicate', async () => {
    const h = await start({ allowedOrigins: (origin) => origin.endsWith(':1234') });
    await connect(wsUrl(h), { origin: 'http://localhost:1234' });
    await expect(connect(wsUrl(h), { origin: h.origin })).rejects.toThrow('refused 403');
  });
});

describe('attachWebSocketBridge: messages', () => {
  it('answers a request with the host outcome, by id', async () => {
    const h = await start();
    const client = await connect(wsUrl(h), { origin: h.origin });
    client.send({ kind: 'request', id: 1, command: 'echo', params: { a: [1, 2] } });
    expect(await client.next()).toEqual({ kind: 'response', id: 1, ok: true, result: { command: 'echo', params: { a: [1, 2] } } });
    client.send({ kind: 'request', id: 2, command: 'flows.nope', params: {} });
    expect(await client.next()).toEqual({
      kind: 'response',
      id: 2,
      ok: false,
      error: { code: 'bad_request', message: 'unknown command: flows.nope' },
    });
  });

  it('answers malformed messages with errors and keeps the connection', async () => {
    const h = await start();
    const client = await connect(wsUrl(h));
    client.send('{not json');
    expect(await client.next()).toMatchObject({ kind: 'response', id: -1, ok: false, error: { code: 'bad_request' } });
    client.send({ kind: 'request', id: 7, command: 42 });
    expect(await client.next()).toMatchObject({ kind: 'response', id: 7, ok: false, error: { code: 'bad_request' } });
    client.send({ kind: 'hello', id: 8, command: 'echo' });
    expect(await client.next()).toMatchObject({ id: 8, ok: false });
    client.send({ kind: 'request', id: -3, command: 'echo' });
    expect(await client.next()).toMatchObject({ id: -1, ok: false });
    client.send('null');
    expect(await client.next()).toMatchObject({ id: -1, ok: false });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.next()).toMatchObject({ id: -1, ok: false, error: { code: 'bad_request' } });
    expect(h.host.calls).toEqual([]);

    client.send({ kind: 'request', id: 9, command: 'echo' });
    expect(await client.next()).toEqual({ kind: 'response', id: 9, ok: true, result: { command: 'echo' } });
  });

  it('limits requests in flight per client', async () => {
    const h = await start({ maxInFlightPerClient: 2 });
    const client = await connect(wsUrl(h));
    for (const id of [1, 2, 3]) client.send({ kind: 'request', id, command: 'slow', params: {} });
    expect(await client.next()).toMatchObject({ id: 3, ok: false, error: { code: 'unavailable' } });
    h.host.releaseSlowCalls();
    const answers = [await client.next(), await client.next()];
    expect(answers).toEqual(
      expect.arrayContaining([
        { kind: 'response', id: 1, ok: true, result: 'slow done' },
        { kind: 'response', id: 2, ok: true, result: 'slow done' },
      ]),
    );
  });

  it('closes a client whose message is above the size limit (1009)', async () => {
    const h = await start({ maxMessageBytes: 1024 });
    const client = await connect(wsUrl(h));
    client.send({ kind: 'request', id: 1, command: 'echo', params: 'x'.repeat(2048) });
    expect(await client.closed).toBe(1009);
  });
});

describe('attachWebSocketBridge: pushes and liveness', () => {
  it('broadcasts pushed events to every client', async () => {
    const h = await start();
    const a = await connect(wsUrl(h), { origin: h.origin });
    const b = await connect(wsUrl(h));
    h.host.push('flows.changed', { flows: [] });
    const expected = { kind: 'push', event: 'flows.changed', payload: { flows: [] } };
    expect(await a.next()).toEqual(expected);
    expect(await b.next()).toEqual(expected);
  });

  it('drops pushes to a congested client, then tells it to refetch (store.reset)', async () => {
    const h = await start({ pushHighWaterBytes: 256 * 1024 });
    const client = await connect(wsUrl(h));
    client.ws.pause();
    const big = { flows: [{ flowSid: 'FW'.padEnd(34, '0'), padding: 'x'.repeat(1024 * 1024) }] };
    const pushes = 32;
    for (let i = 0; i < pushes; i++) h.host.push('flows.changed', big as never);
    // A response queues behind the backlog: once it arrives, every push that was sent has too.
    client.send({ kind: 'request', id: 99, command: 'echo' });
    client.ws.resume();
    const received: { event?: string; id?: number }[] = [];
    while (received.at(-1)?.id !== 99) received.push((await client.next()) as { event?: string; id?: number });
    const deliveredPushes = received.length - 1;
    expect(deliveredPushes).toBeGreaterThan(0);
    expect(deliveredPushes).toBeLessThan(pushes);
    h.host.push('store.reset', {});
    h.host.push('stats.changed', { storedEvents: 1 } as never);
    const after = [await client.next(), await client.next(), await client.next()];
    expect(after.map((m) => (m as { event: string }).event)).toEqual(['store.reset', 'store.reset', 'stats.changed']);
  });

  it('terminates a client that does not read its responses', async () => {
    const h = await start({ maxBufferedBytes: 2 * 1024 * 1024 });
    const client = await connect(wsUrl(h));
    client.ws.pause();
    const params = 'x'.repeat(1024 * 1024);
    for (let id = 1; id <= 40; id++) client.ws.send(JSON.stringify({ kind: 'request', id, command: 'echo', params }));
    await expect.poll(() => h.bridge.clientCount(), { timeout: 20_000 }).toBe(0);
    client.ws.resume();
    await client.closed;
  });

  it('drops clients that stop answering pings', async () => {
    const h = await start({ heartbeatMs: 20 });
    const live = await connect(wsUrl(h));
    const dead = await connect(wsUrl(h), { autoPong: false });
    expect(await dead.closed).toBe(1006);
    await expect.poll(() => h.bridge.clientCount()).toBe(1);
    live.send({ kind: 'request', id: 1, command: 'echo' });
    expect(await live.next()).toMatchObject({ id: 1, ok: true });
  });

  it('close() closes clients with 1001 and stops relaying pushes', async () => {
    const h = await start();
    const client = await connect(wsUrl(h));
    expect(h.host.listenerCount()).toBe(1);
    await h.bridge.close();
    expect(await client.closed).toBe(1001);
    expect(h.host.listenerCount()).toBe(0);
    await expect(connect(wsUrl(h))).rejects.toThrow('refused');
  });
});

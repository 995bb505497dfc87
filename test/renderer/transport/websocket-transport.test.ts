// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { PushEventName, Transport } from '../../../src/shared/contract.js';
import { CommandError, createClient } from '../../../src/renderer/src/transport/client.js';
import { pickTransport, webSocketUrl } from '../../../src/renderer/src/transport/pick-transport.js';
import {
  createWebSocketTransport,
  type SocketLike,
  type WebSocketTransport,
} from '../../../src/renderer/src/transport/websocket-transport.js';

/** Plays the browser's WebSocket; the test plays the server through server*() methods. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: unknown[] = [];
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.serverClose();
  }
  serverOpen(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  serverSend(message: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: typeof message === 'string' ? message : JSON.stringify(message) }));
  }
  serverClose(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onerror?.(new Event('error'));
    this.onclose?.(new CloseEvent('close', { code: 1006 }));
  }
}

let sockets: FakeSocket[];
let transport: WebSocketTransport;
const states: string[] = [];

function last(): FakeSocket {
  const socket = sockets[sockets.length - 1];
  if (socket === undefined) throw new Error('no socket');
  return socket;
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0.5); // no jitter: delays are exactly min * 2^n, capped
  sockets = [];
  states.length = 0;
  transport = createWebSocketTransport({
    url: 'ws://127.0.0.1:9/ws?token=t',
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    minReconnectMs: 250,
    maxReconnectMs: 5_000,
  });
  transport.onConnectionChange((state) => states.push(state));
});

afterEach(() => {
  transport.close();
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('WebSocket transport', () => {
  it('queues requests until open, then matches responses to requests by id', async () => {
    expect(last().url).toBe('ws://127.0.0.1:9/ws?token=t');
    const first = transport.invoke('flows.list', {});
    const second = transport.invoke('executions.get', { executionSid: 'FN1' });
    expect(last().sent).toEqual([]);

    last().serverOpen();
    expect(last().sent).toEqual([
      { kind: 'request', id: 1, command: 'flows.list', params: {} },
      { kind: 'request', id: 2, command: 'executions.get', params: { executionSid: 'FN1' } },
    ]);
    last().serverSend({ kind: 'response', id: 2, ok: false, error: { code: 'not_found', message: 'no such execution' } });
    last().serverSend({ kind: 'response', id: 1, ok: true, result: [] });
    await expect(first).resolves.toEqual({ ok: true, result: [] });
    await expect(second).resolves.toEqual({ ok: false, error: { code: 'not_found', message: 'no such execution' } });
  });

  it('delivers pushes and ignores frames that are not bridge messages', () => {
    const received: [PushEventName, unknown][] = [];
    transport.onPush((event, payload) => received.push([event, payload]));
    last().serverOpen();
    last().serverSend('not json');
    last().serverSend({ kind: 'push', event: 'something.else', payload: {} });
    last().serverSend({ kind: 'response', id: 99, ok: true, result: 1 });
    last().serverSend([1, 2]);
    last().serverSend({ kind: 'push', event: 'store.reset', payload: {} });
    expect(received).toEqual([['store.reset', {}]]);
  });

  it('answers in-flight requests `unavailable` when the socket drops, and reconnects with a capped backoff', async () => {
    last().serverOpen();
    const pending = transport.invoke('stats.get', {});
    last().serverClose();
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(states).toEqual(['open', 'closed']);

    // the server stays down for a while: 250, 500, 1000, 2000, 4000, then 5000 ms at most
    const delays = [250, 500, 1_000, 2_000, 4_000, 5_000, 5_000];
    for (const delay of delays) {
      const count = sockets.length;
      vi.advanceTimersByTime(delay - 1);
      expect(sockets.length).toBe(count);
      vi.advanceTimersByTime(1);
      expect(sockets.length).toBe(count + 1);
      last().serverClose();
    }

    // back up: the next attempt opens, and the backoff starts over
    vi.advanceTimersByTime(5_000);
    const queued = transport.invoke('flows.list', {});
    last().serverOpen();
    expect(states[states.length - 1]).toBe('open');
    const request = last().sent[0] as { id: number };
    last().serverSend({ kind: 'response', id: request.id, ok: true, result: ['ok'] });
    await expect(queued).resolves.toEqual({ ok: true, result: ['ok'] });
    last().serverClose();
    const count = sockets.length;
    vi.advanceTimersByTime(250);
    expect(sockets.length).toBe(count + 1);
  });

  it('stops for good on close(): queued requests are answered and nothing reconnects', async () => {
    const queued = transport.invoke('flows.list', {});
    transport.close();
    await expect(queued).resolves.toMatchObject({ ok: false, error: { code: 'unavailable' } });
    const count = sockets.length;
    vi.advanceTimersByTime(60_000);
    expect(sockets.length).toBe(count);
    await expect(transport.invoke('flows.list', {})).resolves.toMatchObject({ ok: false });
  });
});

describe('typed client', () => {
  it('returns results and throws a CommandError with the contract code', async () => {
    const client = createClient(transport);
    last().serverOpen();
    const ok = client.call('stats.get', {});
    const failed = client.call('export.save', { filter: {} });
    const [first, second] = last().sent as { id: number }[];
    last().serverSend({ kind: 'response', id: first!.id, ok: true, result: { storedEvents: 1 } });
    last().serverSend({ kind: 'response', id: second!.id, ok: false, error: { code: 'unavailable', message: 'desktop only' } });
    await expect(ok).resolves.toEqual({ storedEvents: 1 });
    const error = await failed.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandError);
    expect(error).toMatchObject({ code: 'unavailable', message: 'desktop only' });
  });

  it('maps an unknown error code to internal', async () => {
    last().serverOpen();
    const outcome = transport.invoke('stats.get', {});
    const request = last().sent[0] as { id: number };
    last().serverSend({ kind: 'response', id: request.id, ok: false, error: { code: 'weird', message: 'm' } });
    await expect(outcome).resolves.toEqual({ ok: false, error: { code: 'internal', message: 'm' } });
  });
});

describe('transport selection', () => {
  it('uses the preload bridge when window.flowscope exists', () => {
    const bridge: Transport = {
      kind: 'electron',
      invoke: () => Promise.resolve({ ok: true, result: null }),
      onPush: () => () => {},
      onConnectionChange: () => () => {},
    };
    window.flowscope = bridge;
    try {
      expect(pickTransport(window)).toBe(bridge);
    } finally {
      delete window.flowscope;
    }
  });

  it('otherwise connects to /ws on the same origin with the page token', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:5173', search: '?token=abc123' })).toBe(
      'ws://127.0.0.1:5173/ws?token=abc123',
    );
    expect(webSocketUrl({ protocol: 'https:', host: 'monitor.example', search: '?x=1&token=a%2Bb c' })).toBe(
      'wss://monitor.example/ws?token=a%2Bb%20c',
    );
    expect(webSocketUrl({ protocol: 'http:', host: 'h', search: '' })).toBe('ws://h/ws?token=');
  });
});

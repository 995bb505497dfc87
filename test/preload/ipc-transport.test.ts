import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { INVOKE_CHANNEL, PUSH_CHANNEL } from '../../src/main/ipc-channels.js';
import { createIpcTransport, type IpcRendererPort } from '../../src/preload/ipc-transport.js';
import type { PushEventName } from '../../src/shared/contract.js';

/** ipcRenderer with an EventEmitter for pushes and a scripted answer for invokes. */
function createFakeIpcRenderer(answer: (channel: string, ...args: unknown[]) => Promise<unknown>) {
  const emitter = new EventEmitter();
  const invoked: unknown[][] = [];
  const port: IpcRendererPort = {
    invoke(channel, ...args) {
      invoked.push([channel, ...args]);
      return answer(channel, ...args);
    },
    on: (channel, listener) => emitter.on(channel, listener),
    removeListener: (channel, listener) => emitter.removeListener(channel, listener),
  };
  const senderEvent = { sender: 'ipcRenderer itself, which must never reach the page' };
  return {
    port,
    invoked,
    push: (...args: unknown[]) => emitter.emit(PUSH_CHANNEL, senderEvent, ...args),
    pushListenerCount: () => emitter.listenerCount(PUSH_CHANNEL),
  };
}

const ok = async () => ({ ok: true, result: { items: [] } });

describe('createIpcTransport', () => {
  it('is an electron transport of plain functions', () => {
    const transport = createIpcTransport(createFakeIpcRenderer(ok).port);
    expect(transport.kind).toBe('electron');
    expect(Object.keys(transport).sort()).toEqual(['invoke', 'kind', 'onConnectionChange', 'onPush']);
  });

  it('invokes over the one invoke channel and returns the outcome', async () => {
    const ipc = createFakeIpcRenderer(ok);
    const transport = createIpcTransport(ipc.port);
    expect(await transport.invoke('executions.list', { limit: 5 })).toEqual({ ok: true, result: { items: [] } });
    expect(ipc.invoked).toEqual([[INVOKE_CHANNEL, 'executions.list', { limit: 5 }]]);
  });

  it('refuses a bad command name without sending anything', async () => {
    const ipc = createFakeIpcRenderer(ok);
    const transport = createIpcTransport(ipc.port);
    const invoke = transport.invoke as (command: unknown, params: unknown) => Promise<unknown>;
    for (const command of [7, '', 'x'.repeat(101), null]) {
      expect(await invoke(command, {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    }
    expect(ipc.invoked).toEqual([]);
  });

  it('turns a failed send or a malformed answer into an error outcome', async () => {
    const throwing = createIpcTransport(createFakeIpcRenderer(() => Promise.reject(new Error('could not be cloned'))).port);
    expect(await throwing.invoke('stats.get', {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const garbage = createIpcTransport(createFakeIpcRenderer(async () => 'surprise').port);
    expect(await garbage.invoke('stats.get', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
    const halfError = createIpcTransport(createFakeIpcRenderer(async () => ({ ok: false, error: 'x' })).port);
    expect(await halfError.invoke('stats.get', {})).toMatchObject({ ok: false, error: { code: 'internal' } });
  });

  it('relays known pushes without the IPC event, and unsubscribes', () => {
    const ipc = createFakeIpcRenderer(ok);
    const transport = createIpcTransport(ipc.port);
    const seen: unknown[][] = [];
    const listener = (...args: unknown[]) => void seen.push(args);
    const stop = transport.onPush(listener as (event: PushEventName, payload: unknown) => void);
    const stopOther = transport.onPush(() => undefined);
    expect(ipc.pushListenerCount()).toBe(1);

    ipc.push('store.reset', {});
    ipc.push('not.an.event', { x: 1 });
    ipc.push(42);
    expect(seen).toEqual([['store.reset', {}]]);

    stop();
    stop();
    expect(ipc.pushListenerCount()).toBe(1);
    stopOther();
    expect(ipc.pushListenerCount()).toBe(0);
    ipc.push('store.reset', {});
    expect(seen).toHaveLength(1);
  });

  it('a throwing push listener does not starve the others', () => {
    const ipc = createFakeIpcRenderer(ok);
    const transport = createIpcTransport(ipc.port);
    const seen: string[] = [];
    const originalError = console.error;
    console.error = () => undefined;
    try {
      transport.onPush(() => {
        throw new Error('render bug');
      });
      transport.onPush((event) => seen.push(event));
      ipc.push('stats.changed', {});
    } finally {
      console.error = originalError;
    }
    expect(seen).toEqual(['stats.changed']);
  });

  it('reports the connection open at once', () => {
    const transport = createIpcTransport(createFakeIpcRenderer(ok).port);
    const states: string[] = [];
    const stop = transport.onConnectionChange((state) => states.push(state));
    expect(states).toEqual(['open']);
    stop();
  });
});

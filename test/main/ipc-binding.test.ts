import { describe, expect, it } from 'vitest';
import { createAppPage, isTrustedFrame, type FrameLike } from '../../src/main/app-page.js';
import { bindContractToIpc, type InvokeEventLike, type IpcMainPort, type PushTarget } from '../../src/main/ipc-binding.js';
import { INVOKE_CHANNEL, PUSH_CHANNEL } from '../../src/main/ipc-channels.js';
import { createFakeContractHost } from './fake-contract-host.js';

type Handler = (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>;

/** ipcMain as a handler registry, like Electron's (one handler per channel). */
function createFakeIpcMain() {
  const handlers = new Map<string, Handler>();
  const port: IpcMainPort = {
    handle(channel, listener) {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, listener);
    },
    removeHandler(channel) {
      handlers.delete(channel);
    },
  };
  return {
    port,
    handlers,
    invoke(frame: FrameLike | null, ...args: unknown[]) {
      const handler = handlers.get(INVOKE_CHANNEL);
      if (!handler) throw new Error('no handler');
      return handler({ senderFrame: frame }, ...args);
    },
  };
}

function createFakeWebContents(url: string) {
  const sent: unknown[][] = [];
  let destroyed = false;
  const target: PushTarget = {
    isDestroyed: () => destroyed,
    mainFrame: { url, parent: null },
    send: (channel, ...args) => void sent.push([channel, ...args]),
  };
  return { target, sent, destroy: () => void (destroyed = true) };
}

const page = createAppPage({ rendererIndexFile: '/opt/flowscope/out/renderer/index.html' });
const appFrame: FrameLike = { url: `${page.url}?token=x#/executions`, parent: null };

function setup(targets: PushTarget[] = []) {
  const ipc = createFakeIpcMain();
  const host = createFakeContractHost();
  const unbind = bindContractToIpc({
    ipcMain: ipc.port,
    host,
    isTrustedSender: (frame) => isTrustedFrame(page, frame),
    getTargets: () => targets,
  });
  return { ipc, host, unbind };
}

describe('bindContractToIpc', () => {
  it('forwards a trusted invoke to the host and returns its outcome', async () => {
    const { ipc, host } = setup();
    const outcome = await ipc.invoke(appFrame, 'echo', { a: 1 });
    expect(outcome).toEqual({ ok: true, result: { command: 'echo', params: { a: 1 } } });
    expect(host.calls).toEqual([{ command: 'echo', params: { a: 1 } }]);
  });

  it('passes the host error outcome through unchanged', async () => {
    const { ipc } = setup();
    expect(await ipc.invoke(appFrame, 'nope', {})).toEqual({
      ok: false,
      error: { code: 'bad_request', message: 'unknown command: nope' },
    });
  });

  it('refuses a sender on another page without calling the host', async () => {
    const { ipc, host } = setup();
    const foreign: FrameLike = { url: 'https://evil.example/', parent: null };
    const outcome = await ipc.invoke(foreign, 'echo', {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(host.calls).toEqual([]);
  });

  it('refuses a null senderFrame (navigated away or destroyed)', async () => {
    const { ipc, host } = setup();
    expect(await ipc.invoke(null, 'echo', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(host.calls).toEqual([]);
  });

  it('refuses a subframe even when it shows the app page', async () => {
    const { ipc } = setup();
    const child: FrameLike = { url: page.url, parent: appFrame };
    expect(await ipc.invoke(child, 'echo', {})).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it.each([[42], [''], ['x'.repeat(101)], [undefined]])('refuses a malformed command name %#', async (command) => {
    const { ipc, host } = setup();
    expect(await ipc.invoke(appFrame, command, {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(host.calls).toEqual([]);
  });

  it('relays pushes to live app windows only', () => {
    const app = createFakeWebContents(page.url);
    const closed = createFakeWebContents(page.url);
    const foreign = createFakeWebContents('https://evil.example/');
    closed.destroy();
    const { host } = setup([app.target, closed.target, foreign.target]);
    host.push('store.reset', {});
    host.push('flows.changed', { flows: [] });
    expect(app.sent).toEqual([
      [PUSH_CHANNEL, 'store.reset', {}],
      [PUSH_CHANNEL, 'flows.changed', { flows: [] }],
    ]);
    expect(closed.sent).toEqual([]);
    expect(foreign.sent).toEqual([]);
  });

  it('unbinding removes the handler and the subscription', () => {
    const { ipc, host, unbind } = setup();
    expect(host.listenerCount()).toBe(1);
    unbind();
    unbind();
    expect(ipc.handlers.size).toBe(0);
    expect(host.listenerCount()).toBe(0);
  });
});

/**
 * The renderer's Transport over Electron IPC (src/shared/contract.ts), built on a small slice of
 * ipcRenderer so it runs under plain Node in tests.
 *
 * Security assumptions: the renderer gets only these three functions and `kind`, never
 * ipcRenderer or an IPC event object (an event exposes `sender`, i.e. ipcRenderer itself). The
 * command must be a short string before anything is sent; params go as they are (main and the
 * core validate them). What comes back from main is shape-checked before the renderer sees it.
 * Everything returned is a plain object of arrow functions: contextBridge copies objects and
 * drops prototypes, so class instances would lose their methods.
 * This file is bundled into the sandboxed preload: it may import only electron-free, node-free code.
 */
import type { InvokeOutcome, PushEventName, Transport } from '../shared/contract.js';
import { INVOKE_CHANNEL, MAX_COMMAND_NAME_LENGTH, PUSH_CHANNEL } from '../main/ipc-channels.js';

/** The part of ipcRenderer the transport uses. */
export interface IpcRendererPort {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

type PushListener = (event: PushEventName, payload: unknown) => void;
type ConnectionListener = (state: 'connecting' | 'open' | 'closed') => void;

const PUSH_EVENT_NAMES: ReadonlySet<string> = new Set<PushEventName>([
  'executions.changed',
  'flows.changed',
  'stats.changed',
  'store.reset',
  'connection.changed',
]);

export function createIpcTransport(ipcRenderer: IpcRendererPort): Transport {
  const pushListeners = new Set<PushListener>();

  // One IPC subscription, fanned out; attached only while someone listens.
  const relay = (_event: unknown, name: unknown, payload: unknown): void => {
    if (typeof name !== 'string' || !PUSH_EVENT_NAMES.has(name)) return;
    for (const listener of [...pushListeners]) {
      try {
        listener(name as PushEventName, payload);
      } catch (error) {
        console.error('[flowscope] push listener failed:', error);
      }
    }
  };

  return {
    kind: 'electron',

    async invoke(command: unknown, params: unknown): Promise<InvokeOutcome> {
      if (typeof command !== 'string' || command.length === 0 || command.length > MAX_COMMAND_NAME_LENGTH) {
        return failure('bad_request', 'command must be a non-empty string of at most 100 characters');
      }
      let answer: unknown;
      try {
        answer = await ipcRenderer.invoke(INVOKE_CHANNEL, command, params);
      } catch {
        // e.g. params that cannot be structured-cloned (functions, DOM nodes)
        return failure('bad_request', `${command}: parameters could not be sent to the main process`);
      }
      return isInvokeOutcome(answer) ? answer : failure('internal', `${command}: malformed answer from the main process`);
    },

    onPush(listener: PushListener): () => void {
      if (typeof listener !== 'function') throw new TypeError('onPush needs a function');
      if (pushListeners.size === 0) ipcRenderer.on(PUSH_CHANNEL, relay);
      pushListeners.add(listener);
      return () => {
        if (!pushListeners.delete(listener)) return;
        if (pushListeners.size === 0) ipcRenderer.removeListener(PUSH_CHANNEL, relay);
      };
    },

    onConnectionChange(listener: ConnectionListener): () => void {
      if (typeof listener !== 'function') throw new TypeError('onConnectionChange needs a function');
      // IPC to the main process is open for the page's whole life.
      listener('open');
      return () => undefined;
    },
  };
}

function isInvokeOutcome(value: unknown): value is InvokeOutcome {
  if (typeof value !== 'object' || value === null) return false;
  const outcome = value as Record<string, unknown>;
  if (outcome['ok'] === true) return 'result' in outcome;
  if (outcome['ok'] !== false) return false;
  const error = outcome['error'];
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as Record<string, unknown>)['code'] === 'string' &&
    typeof (error as Record<string, unknown>)['message'] === 'string'
  );
}

function failure(code: 'bad_request' | 'internal', message: string): InvokeOutcome {
  return { ok: false, error: { code, message } };
}

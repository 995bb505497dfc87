/**
 * The Electron IPC bridge: one invoke channel for every contract command, one push channel for
 * every pushed event (src/shared/contract.ts). It knows no command by name.
 *
 * Security assumptions and invariants:
 * - every invoke is checked with `isTrustedSender(event.senderFrame)` before anything else;
 *   senderFrame may be null (the frame navigated away or was destroyed) and is then refused;
 * - what arrives from a renderer is untrusted: the command must be a short string, params are
 *   passed through for the host to validate with the contract's zod schemas;
 * - the handler never throws (a thrown error would reach the renderer as an Error whose message
 *   we do not control): every answer is an InvokeOutcome;
 * - pushes go only to live targets whose main frame is still the app page.
 * Electron is reached only through the small ports below, so this runs under plain Node in tests.
 */
import type { ContractHost } from '../core/contract-host.js';
import type { InvokeOutcome } from '../shared/contract.js';
import type { FrameLike } from './app-page.js';
import { INVOKE_CHANNEL, MAX_COMMAND_NAME_LENGTH, PUSH_CHANNEL } from './ipc-channels.js';

/** What the binding needs from an invoke event (Electron's IpcMainInvokeEvent fits). */
export interface InvokeEventLike {
  readonly senderFrame: FrameLike | null;
}

/** What the binding needs from ipcMain. */
export interface IpcMainPort {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

/** A window's webContents, as far as pushes go. */
export interface PushTarget {
  isDestroyed(): boolean;
  readonly mainFrame: FrameLike;
  send(channel: string, ...args: unknown[]): void;
}

export interface ContractIpcBindingOptions {
  ipcMain: IpcMainPort;
  host: ContractHost;
  isTrustedSender(frame: FrameLike | null): boolean;
  /** The webContents that receive pushes (usually the one main window). */
  getTargets(): Iterable<PushTarget>;
  /** Where failures to deliver a push are reported; never sent to a renderer. */
  onPushError?(error: unknown): void;
}

/** Binds the contract to IPC; returns a function that unbinds it. */
export function bindContractToIpc(options: ContractIpcBindingOptions): () => void {
  const { ipcMain, host, isTrustedSender, getTargets } = options;

  ipcMain.handle(INVOKE_CHANNEL, async (event, command, params): Promise<InvokeOutcome> => {
    if (!isTrustedSender(event.senderFrame ?? null)) {
      return refuse('unauthorized', 'this frame may not call Flowscope');
    }
    if (typeof command !== 'string' || command.length === 0 || command.length > MAX_COMMAND_NAME_LENGTH) {
      return refuse('bad_request', 'command must be a non-empty string of at most 100 characters');
    }
    try {
      return await host.invoke(command, params);
    } catch {
      // ContractHost promises never to reject; keep the channel's own promise anyway.
      return refuse('internal', `${command} failed unexpectedly`);
    }
  });

  const unsubscribe = host.subscribe((event, payload) => {
    for (const target of getTargets()) {
      try {
        if (target.isDestroyed() || !isTrustedSender(target.mainFrame)) continue;
        target.send(PUSH_CHANNEL, event, payload);
      } catch (error) {
        options.onPushError?.(error);
      }
    }
  });

  let bound = true;
  return () => {
    if (!bound) return;
    bound = false;
    unsubscribe();
    ipcMain.removeHandler(INVOKE_CHANNEL);
  };
}

function refuse(code: 'unauthorized' | 'bad_request' | 'internal', message: string): InvokeOutcome {
  return { ok: false, error: { code, message } };
}

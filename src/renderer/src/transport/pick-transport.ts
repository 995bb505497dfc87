/**
 * Which Transport this page talks over.
 *
 * - Inside Electron the preload exposes `window.flowscope` (kind 'electron'): use it.
 * - Otherwise the page was served by the headless server (`flowscope serve`) at `/?token=...`:
 *   connect a WebSocket to `/ws?token=<same token>` on the page's own origin (wss: under https:).
 * Security: the token is read from this page's URL only and sent only to the page's own origin.
 */
import type { Transport } from '../../../shared/contract.js';
import { createWebSocketTransport } from './websocket-transport.js';

declare global {
  interface Window {
    /** Set by the Electron preload (contextBridge); absent in a browser. */
    flowscope?: Transport;
  }
}

function isTransport(value: unknown): value is Transport {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Record<keyof Transport, unknown>>;
  return (
    typeof candidate.invoke === 'function' &&
    typeof candidate.onPush === 'function' &&
    typeof candidate.onConnectionChange === 'function'
  );
}

export function webSocketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

/**
 * Whether the server that served this page answers HTTP at all (any status): tells a refused
 * WebSocket (wrong token) from a server that is down. Same origin only, no token sent.
 */
export function probePageServer(origin: string, fetchFn: typeof fetch = fetch): () => Promise<boolean> {
  return () => fetchFn(`${origin}/`, { method: 'HEAD', cache: 'no-store' }).then(() => true, () => false);
}

export function pickTransport(win: Window): Transport {
  const bridged: unknown = win.flowscope;
  if (isTransport(bridged)) return bridged;
  return createWebSocketTransport({
    url: webSocketUrl(win.location),
    // without fetch (old test DOMs) a refused socket just keeps reconnecting, as before
    probeServer: typeof win.fetch === 'function' ? probePageServer(win.location.origin, win.fetch.bind(win)) : undefined,
  });
}

/** Whether this page's address carries a token at all (the server prints it in the UI URL). */
export function pageHasToken(location: Pick<Location, 'search'>): boolean {
  return (new URLSearchParams(location.search).get('token') ?? '') !== '';
}

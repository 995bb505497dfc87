/**
 * The browser's Transport: the headless server's WebSocket bridge at `/ws` (same origin).
 *
 * Wire: JSON text frames. Requests are BridgeRequest `{ kind: 'request', id, command, params }`;
 * the server answers each with a BridgeResponse carrying the same id, and sends BridgePush
 * `{ kind: 'push', event, payload }` frames at any time.
 *
 * Invariants:
 * - invoke() never rejects: a failure is an `{ ok: false, error }` outcome. A request in flight
 *   when the socket drops is answered `unavailable` (the core may or may not have run it; every
 *   command the UI sends is safe to retry by hand). A request made while disconnected is queued
 *   and sent once the socket is open again.
 * - After a close the transport reconnects by itself with a capped exponential backoff (a server
 *   restart must not need a page reload); the app refetches its snapshot on the next 'open'.
 * - Incoming frames are untrusted: anything that is not a well-formed response or push is dropped.
 * - A browser does not tell a page why a WebSocket handshake failed (a 401 for a wrong token looks
 *   like a server that is down). So after a socket closes without ever opening, `probeServer`
 *   (when given) asks whether the server that served the page still answers HTTP: if it does on
 *   REFUSALS_FOR_UNAUTHORIZED attempts in a row, the upgrade is being refused — in practice a wrong
 *   or stale token — and `access` turns 'refused' (the UI says so). Reconnecting goes on at the
 *   capped backoff; a successful open turns `access` back to 'ok'.
 * Security: the session token travels in the URL's query (`/ws?token=...`), which is how the
 * server authenticates the upgrade; it is never logged here.
 */
import type { BridgeRequest, InvokeOutcome, PushEventName, Transport } from '../../../shared/contract.js';
import { parseBridgeMessage } from './bridge-messages.js';

/** The subset of the DOM WebSocket this transport uses (tests inject a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
}

export type ConnectionState = 'connecting' | 'open' | 'closed';
/** 'refused': the server answers HTTP but refuses the WebSocket (wrong or stale token). */
export type AccessState = 'ok' | 'refused';

/** Consecutive handshake failures, with the server answering HTTP, before access is 'refused'. */
export const REFUSALS_FOR_UNAUTHORIZED = 2;

export interface WebSocketTransportOptions {
  url: string;
  createSocket?: (url: string) => SocketLike;
  /** First reconnect delay; doubles per failed attempt up to maxReconnectMs. */
  minReconnectMs?: number;
  maxReconnectMs?: number;
  /** Requests queued while disconnected beyond this many are answered `unavailable` at once. */
  maxQueued?: number;
  /** Resolves true when the page's server answers HTTP (see the header); never rejects. */
  probeServer?: () => Promise<boolean>;
}

export interface WebSocketTransport extends Transport {
  readonly kind: 'websocket';
  readonly state: ConnectionState;
  readonly access: AccessState;
  onAccessChange(listener: (access: AccessState) => void): () => void;
  /** Closes for good: no reconnect; queued and pending requests are answered `unavailable`. */
  close(): void;
}

const OPEN = 1;

/** Whether a Transport reports WebSocket access (the Electron transport does not need to). */
export function reportsAccess(transport: Transport): transport is Transport & Pick<WebSocketTransport, 'onAccessChange'> {
  return typeof (transport as Partial<WebSocketTransport>).onAccessChange === 'function';
}

interface Queued {
  command: string;
  params: unknown;
  resolve: (outcome: InvokeOutcome) => void;
}

function unavailable(message: string): InvokeOutcome {
  return { ok: false, error: { code: 'unavailable', message } };
}

export function createWebSocketTransport(options: WebSocketTransportOptions): WebSocketTransport {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url));
  const minDelay = options.minReconnectMs ?? 250;
  const maxDelay = options.maxReconnectMs ?? 5_000;
  const maxQueued = options.maxQueued ?? 1_000;

  const pushListeners = new Set<(event: PushEventName, payload: unknown) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();
  const accessListeners = new Set<(access: AccessState) => void>();
  const pending = new Map<number, (outcome: InvokeOutcome) => void>();
  let queue: Queued[] = [];
  let nextId = 1;
  let attempt = 0;
  let socket: SocketLike | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let state: ConnectionState = 'connecting';
  let closedForGood = false;
  let access: AccessState = 'ok';
  let refusals = 0;

  function setAccess(next: AccessState): void {
    if (next === access) return;
    access = next;
    for (const listener of accessListeners) listener(next);
  }

  /** A socket closed before it opened: was it refused by a server that is up? */
  function diagnoseHandshakeFailure(): void {
    const probe = options.probeServer;
    if (probe === undefined) return;
    probe().then(
      (reachable) => {
        if (closedForGood || state === 'open') return;
        refusals = reachable ? refusals + 1 : 0;
        if (refusals >= REFUSALS_FOR_UNAUTHORIZED) setAccess('refused');
      },
      () => undefined, // a probe that fails tells nothing
    );
  }

  function setState(next: ConnectionState): void {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  }

  function send(item: Queued): void {
    const id = nextId++;
    const request: BridgeRequest = { kind: 'request', id, command: item.command, params: item.params };
    pending.set(id, item.resolve);
    try {
      socket?.send(JSON.stringify(request));
    } catch (error) {
      pending.delete(id);
      item.resolve(unavailable(error instanceof Error ? error.message : 'could not send the request'));
    }
  }

  function failPending(message: string): void {
    const waiting = [...pending.values()];
    pending.clear();
    for (const resolve of waiting) resolve(unavailable(message));
  }

  function onMessage(event: MessageEvent): void {
    if (typeof event.data !== 'string') return;
    const message = parseBridgeMessage(event.data);
    if (message === null) return;
    if (message.kind === 'push') {
      for (const listener of pushListeners) listener(message.event, message.payload);
      return;
    }
    const resolve = pending.get(message.id);
    if (resolve === undefined) return;
    pending.delete(message.id);
    resolve(message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error });
  }

  function scheduleReconnect(): void {
    if (closedForGood || reconnectTimer !== null) return;
    // capped exponential backoff with jitter, so that many tabs do not reconnect in lockstep
    const base = Math.min(maxDelay, minDelay * 2 ** attempt);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    attempt += 1;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      connect();
    }, delay);
  }

  function connect(): void {
    if (closedForGood) return;
    setState('connecting');
    let current: SocketLike;
    try {
      current = createSocket(options.url);
    } catch {
      setState('closed');
      scheduleReconnect();
      return;
    }
    socket = current;
    let opened = false;
    current.onopen = () => {
      if (socket !== current) return;
      opened = true;
      attempt = 0;
      refusals = 0;
      setAccess('ok');
      setState('open');
      const waiting = queue;
      queue = [];
      for (const item of waiting) send(item);
    };
    current.onmessage = (event) => {
      if (socket === current) onMessage(event);
    };
    current.onerror = () => {
      // a close event always follows; reconnecting happens there
    };
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      failPending('the connection to Flowscope was lost');
      setState('closed');
      if (!opened) diagnoseHandshakeFailure();
      scheduleReconnect();
    };
  }

  connect();

  return {
    kind: 'websocket',
    get state() {
      return state;
    },
    get access() {
      return access;
    },
    invoke(command, params) {
      if (closedForGood) return Promise.resolve(unavailable('the connection is closed'));
      return new Promise<InvokeOutcome>((resolve) => {
        const item: Queued = { command, params, resolve };
        if (socket !== null && socket.readyState === OPEN && state === 'open') send(item);
        else if (queue.length >= maxQueued) resolve(unavailable('not connected to Flowscope'));
        else queue.push(item);
      });
    },
    onPush(listener) {
      pushListeners.add(listener);
      return () => pushListeners.delete(listener);
    },
    onConnectionChange(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    onAccessChange(listener) {
      accessListeners.add(listener);
      return () => accessListeners.delete(listener);
    },
    close() {
      if (closedForGood) return;
      closedForGood = true;
      if (reconnectTimer !== null) clearTimeout(reconnectTimer);
      reconnectTimer = null;
      const current = socket;
      socket = null;
      current?.close(1000, 'closing');
      failPending('the connection is closed');
      const waiting = queue;
      queue = [];
      for (const item of waiting) item.resolve(unavailable('the connection is closed'));
      setState('closed');
    },
  };
}

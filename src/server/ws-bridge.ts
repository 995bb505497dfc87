/**
 * The WebSocket bridge: the contract (src/shared/contract.ts) over one WebSocket per browser tab,
 * for the headless UI. Generic like the IPC bridge: it knows no command by name.
 *
 * Security assumptions (localhost API rules in the style of httptoolkit):
 * - an upgrade is accepted only on `path`, with the session token in `?token=` (compared in
 *   constant time) — 401 otherwise — and, when the client is a browser, from one of the UI
 *   server's own origins — 403 otherwise. A request without an Origin header is a non-browser
 *   client (a browser always sends Origin on WebSocket handshakes) and needs only the token.
 *   The Host header is checked too (DNS rebinding), because 'upgrade' bypasses the server's
 *   request handler;
 * - every message is untrusted: it must be JSON `{ kind: 'request', id, command, params }`; a
 *   malformed one gets an error response (id -1 when no usable id), never a crash or a close;
 * - memory is bounded: messages up to `maxMessageBytes` (ws closes the socket with 1009 beyond
 *   it), at most `maxInFlightPerClient` requests per client, pushes to a client whose send
 *   buffer is above `pushHighWaterBytes` are dropped (the client later gets one `store.reset`
 *   push so it refetches), and a client whose buffer passes `maxBufferedBytes` is terminated;
 * - a ping every `heartbeatMs` drops clients that stopped answering.
 * Responses carry `{ code, message }` errors from the host only; nothing else is echoed back.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { z } from 'zod';
import type { ContractHost } from '../core/contract-host.js';
import type { BridgePush, BridgeResponse, ContractError, InvokeOutcome } from '../shared/contract.js';

/**
 * 256 MiB: big enough to import a sizeable export through the browser (import.run carries the
 * whole document as one string), small enough that one message — raw frame, decoded string,
 * parsed JSON — stays around 1 GiB of heap at worst. Only token holders can send anything at
 * all; bigger files belong to the CLI's streaming import.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
/** id used in the response to a message that carried no usable id. */
export const UNIDENTIFIED_REQUEST_ID = -1;

export interface WebSocketBridgeOptions {
  server: Server;
  host: ContractHost;
  token: string;
  /** Browser origins allowed to connect, e.g. http://127.0.0.1:PORT and http://localhost:PORT. */
  allowedOrigins: readonly string[] | ((origin: string) => boolean);
  /** Upgrade path; default '/ws'. */
  path?: string;
  /** Host-header check for upgrades; default: any. */
  isAllowedHost?: (hostHeader: string | undefined) => boolean;
  maxMessageBytes?: number;
  maxInFlightPerClient?: number;
  pushHighWaterBytes?: number;
  maxBufferedBytes?: number;
  heartbeatMs?: number;
  /** Where unexpected failures are reported (local log only). */
  onError?: (error: unknown) => void;
}

export interface WebSocketBridge {
  clientCount(): number;
  /** Stops accepting upgrades, closes every client (1001), stops relaying pushes. */
  close(): Promise<void>;
}

const requestSchema = z.object({
  kind: z.literal('request'),
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  command: z.string().min(1).max(100),
  params: z.unknown().optional(),
});

interface ClientState {
  alive: boolean;
  inFlight: number;
  missedPushes: boolean;
}

const STORE_RESET_TEXT = JSON.stringify({ kind: 'push', event: 'store.reset', payload: {} } satisfies BridgePush);

export function attachWebSocketBridge(options: WebSocketBridgeOptions): WebSocketBridge {
  const path = options.path ?? '/ws';
  const maxInFlight = options.maxInFlightPerClient ?? 32;
  const pushHighWater = options.pushHighWaterBytes ?? 16 * 1024 * 1024;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024 * 1024;
  const isOriginAllowed = originCheck(options.allowedOrigins);
  const report = options.onError ?? (() => undefined);
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
  const clients = new Map<WebSocket, ClientState>();
  let closed = false;

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(request.url ?? '/', 'http://upgrade.invalid');
    if (closed || url.pathname !== path) return refuseUpgrade(socket, 404, 'Not Found');
    if (options.isAllowedHost && !options.isAllowedHost(request.headers.host)) {
      return refuseUpgrade(socket, 403, 'Forbidden');
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !isOriginAllowed(origin)) return refuseUpgrade(socket, 403, 'Forbidden');
    const token = url.searchParams.get('token');
    if (token === null || !tokensEqual(token, options.token)) return refuseUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(request, socket, head, onConnection);
  }

  function onConnection(ws: WebSocket): void {
    const state: ClientState = { alive: true, inFlight: 0, missedPushes: false };
    clients.set(ws, state);
    ws.on('pong', () => {
      state.alive = true;
    });
    ws.on('error', () => ws.terminate()); // e.g. a message above maxPayload (ws then closes with 1009)
    ws.on('close', () => clients.delete(ws));
    ws.on('message', (data, isBinary) => {
      handleMessage(ws, state, data, isBinary).catch((error: unknown) => report(error));
    });
  }

  async function handleMessage(ws: WebSocket, state: ClientState, data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) return respond(ws, UNIDENTIFIED_REQUEST_ID, refusal('bad_request', 'binary messages are not accepted'));
    let message: unknown;
    try {
      message = JSON.parse(rawToText(data));
    } catch {
      return respond(ws, UNIDENTIFIED_REQUEST_ID, refusal('bad_request', 'message is not JSON'));
    }
    const parsed = requestSchema.safeParse(message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : 'message';
      return respond(ws, usableId(message), refusal('bad_request', `not a request: ${where}: ${issue?.message ?? 'invalid'}`));
    }
    const { id, command, params } = parsed.data;
    if (state.inFlight >= maxInFlight) {
      return respond(ws, id, refusal('unavailable', `too many requests in flight (max ${maxInFlight})`));
    }
    state.inFlight += 1;
    let outcome: InvokeOutcome;
    try {
      outcome = await options.host.invoke(command, params);
    } catch {
      outcome = refusal('internal', `${command} failed unexpectedly`); // hosts never throw; belt and braces
    } finally {
      state.inFlight -= 1;
    }
    respond(ws, id, outcome);
  }

  function respond(ws: WebSocket, id: number, outcome: InvokeOutcome): void {
    const response: BridgeResponse = outcome.ok
      ? { kind: 'response', id, ok: true, result: outcome.result }
      : { kind: 'response', id, ok: false, error: outcome.error };
    let text: string;
    try {
      text = JSON.stringify(response);
    } catch (error) {
      report(error);
      text = JSON.stringify({ kind: 'response', id, ok: false, error: { code: 'internal', message: 'result could not be serialized' } });
    }
    sendTo(ws, text);
  }

  /** Returns false when the client is gone or was terminated for hoarding memory. */
  function sendTo(ws: WebSocket, text: string): boolean {
    if (ws.readyState !== WebSocket.OPEN) return false;
    if (ws.bufferedAmount > maxBuffered) {
      ws.terminate();
      return false;
    }
    ws.send(text, (error) => {
      if (error) report(error);
    });
    return true;
  }

  function pushTo(ws: WebSocket, state: ClientState, text: string | null): void {
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > pushHighWater) {
      if (text !== null) state.missedPushes = true;
      if (ws.bufferedAmount > maxBuffered) ws.terminate();
      return;
    }
    if (state.missedPushes) {
      state.missedPushes = false;
      if (!sendTo(ws, STORE_RESET_TEXT)) return;
    }
    if (text !== null) sendTo(ws, text);
  }

  const unsubscribe = options.host.subscribe((event, payload) => {
    let text: string;
    try {
      text = JSON.stringify({ kind: 'push', event, payload } satisfies BridgePush);
    } catch (error) {
      return report(error);
    }
    for (const [ws, state] of clients) pushTo(ws, state, text);
  });

  const heartbeat = setInterval(() => {
    for (const [ws, state] of clients) {
      if (!state.alive) {
        ws.terminate();
        continue;
      }
      state.alive = false;
      ws.ping();
      pushTo(ws, state, null); // a client that drained gets its store.reset without waiting for a push
    }
  }, options.heartbeatMs ?? 30_000);
  heartbeat.unref();

  options.server.on('upgrade', onUpgrade);

  return {
    clientCount: () => clients.size,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      options.server.off('upgrade', onUpgrade);
      await Promise.all([...clients.keys()].map(closeClient));
      clients.clear();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Closes politely, then forcibly if the peer does not answer within a second. */
function closeClient(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    const timer = setTimeout(() => ws.terminate(), 1000);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    ws.close(1001, 'server closing');
  });
}

function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  const body = `${reason}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** Constant-time, whatever the lengths: compare digests, not the strings. Also used by GET /export. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function originCheck(allowed: readonly string[] | ((origin: string) => boolean)): (origin: string) => boolean {
  if (typeof allowed === 'function') return allowed;
  const set = new Set(allowed);
  return (origin) => set.has(origin);
}

function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function usableId(message: unknown): number {
  if (typeof message !== 'object' || message === null) return UNIDENTIFIED_REQUEST_ID;
  const id = (message as Record<string, unknown>)['id'];
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : UNIDENTIFIED_REQUEST_ID;
}

function refusal(code: ContractError['code'], message: string): InvokeOutcome {
  return { ok: false, error: { code, message } };
}

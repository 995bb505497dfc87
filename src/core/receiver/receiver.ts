/**
 * The webhook receiver: an express 5 app on its own http.Server, the only port ever tunneled
 * (DESIGN.md section 5). The headless UI listens elsewhere.
 *
 * Invariants and security assumptions:
 * - Routes: `POST <path>` takes deliveries; `GET /` and `GET <path>` answer a fixed health JSON
 *   (no counts, no configuration) so users can test their tunnel; other methods on `<path>` get
 *   405, other paths 404. Every answer is JSON (http-responses.ts); no x-powered-by, no ETag.
 *   `POST <path>` exactly skips express (the hot path) but passes the same admission (headers,
 *   shutdown refusal, in-flight count) and the same handler as express's route for it.
 * - Listens on 127.0.0.1 unless told otherwise: the tunnel connects locally.
 * - `stop()` stops accepting connections at once, answers 503 (Connection: close) to requests
 *   that still arrive on open connections, lets in-flight deliveries finish for up to
 *   `shutdownGraceMs`, then closes every socket. An unacknowledged delivery is retried by Twilio.
 * - Verification settings are swapped atomically by `setVerification`; each request reads them
 *   once, after its body is in. The auth token is never returned by `info()` or put in an error.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { isReceiverPath, RECEIVER_PATH_RULE } from '../../shared/receiver-path.js';
import type { IngestPort, ReceiverObserver } from './ingest-port.js';
import { createDeliveryHandler } from './delivery-handler.js';
import { applySecurityHeaders, sendError } from './http-responses.js';
import { sinkDestinationUrl } from './public-url.js';
import { toVerificationState, type VerificationSettings, type VerificationState } from './verification.js';

export const DEFAULT_RECEIVER_PATH = '/events';
export const DEFAULT_RECEIVER_HOST = '127.0.0.1';
/** Twilio sends small batches; 1 MiB is generous and bounds memory per request. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** Twilio gives a sink 5 s to answer; waiting longer for in-flight requests gains nothing. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 5_000;

export interface ReceiverOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Must start with `/`; letters, digits and `-._~/` only; no empty segment (`//`). */
  path?: string;
  ingest: IngestPort;
  observer?: ReceiverObserver;
  maxBodyBytes?: number;
  authToken?: string | null;
  /** Public base URL that maps to the receiver's root, or the full destination (see public-url.ts). */
  publicUrl?: string | null;
  shutdownGraceMs?: number;
}

export interface ReceiverInfo {
  state: 'idle' | 'listening' | 'stopping';
  port: number | null;
  /** Origin of the local listener (what a tunnel forwards to), e.g. `http://127.0.0.1:43123`. */
  localUrl: string | null;
  path: string;
  /** Whether deliveries must carry a valid X-Twilio-Signature. */
  verifiesSignature: boolean;
  /** Whether deliveries must carry HTTP Basic credentials (from `user:pass@` in the public URL). */
  requiresBasicAuth: boolean;
  /** The public base with any password masked, or null. */
  publicUrl: string | null;
  /** The sink destination to register (public base + path) with any password masked, or null. */
  destinationUrl: string | null;
}

export interface Receiver {
  start(): Promise<{ port: number; localUrl: string }>;
  stop(): Promise<void>;
  /** Throws a TypeError when `publicUrl` is not an absolute http(s) URL. */
  setVerification(settings: VerificationSettings): void;
  info(): ReceiverInfo;
}

const HEALTH = { ok: true, service: 'flowscope-receiver' } as const;

export function createReceiver(options: ReceiverOptions): Receiver {
  const path = options.path ?? DEFAULT_RECEIVER_PATH;
  if (!isReceiverPath(path)) throw new TypeError(`receiver path ${RECEIVER_PATH_RULE}`);
  const host = options.host ?? DEFAULT_RECEIVER_HOST;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const graceMs = options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS;
  let verification: VerificationState = toVerificationState(
    { authToken: options.authToken ?? null, publicUrl: options.publicUrl ?? null },
    path,
  );

  let server: Server | null = null;
  let stopping: Promise<void> | null = null;
  let inFlight = 0;
  let onIdle: (() => void) | null = null;

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  app.set('json escape', true);

  /** Every request, on either route in: headers, refusal while stopping, in-flight count. */
  const admit = (req: IncomingMessage, res: ServerResponse): boolean => {
    applySecurityHeaders(res);
    if (stopping !== null) {
      req.resume();
      sendError(res, 503, 'shutting_down', 'The receiver is shutting down; retry later.', { close: true });
      return false;
    }
    inFlight++;
    res.once('close', () => {
      inFlight--;
      if (inFlight === 0) onIdle?.();
    });
    return true;
  };
  const deliver = createDeliveryHandler({ ingest: options.ingest, observer: options.observer, maxBodyBytes, verification: () => verification });

  app.use((req: Request, res: Response, next: NextFunction) => {
    if (admit(req, res)) next();
  });
  app.get('/', (_req, res) => void res.json(HEALTH));
  app.get(path, (_req, res) => void res.json(HEALTH));
  app.post(path, deliver);
  app.all(path, (_req, res) => {
    res.setHeader('Allow', 'GET, HEAD, POST');
    sendError(res, 405, 'method_not_allowed', `Only POST delivers events here.`);
  });
  app.use((req: Request, res: Response) => {
    req.resume();
    sendError(res, 404, 'not_found', 'No such endpoint.');
  });
  // Express 5 routes errors (a malformed %-escape in the path, a bug) here; never echo their text.
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(error);
    if (status !== null && status >= 400 && status < 500) {
      req.resume();
      sendError(res, status, 'bad_request', 'The request is malformed.', { close: true });
    } else answerInternalError(req, res);
  });

  const localUrlOf = (port: number) => `http://${connectableHost(host)}:${port}`;
  const boundPort = () => (server?.listening ? (server.address() as AddressInfo).port : null);

  async function start(): Promise<{ port: number; localUrl: string }> {
    if (stopping !== null) await stopping;
    if (server === null) {
      const created = createServer((req, res) => {
        // The hot path: `POST <path>` exactly (query allowed) goes straight to the delivery
        // handler. Express's per-request setup and routing cost more than the rest of a
        // one-event delivery (a bare node:http server answered ~4.7x as many requests/s as the
        // same handler behind express 5); everything else, including the path's variants that
        // express also matches (`<path>/`, other letter case), goes through the express app.
        if (req.method === 'POST' && isExactly(req.url, path)) {
          if (admit(req, res)) deliver(req, res).catch(() => answerInternalError(req, res));
          return;
        }
        app(req, res);
      });
      created.headersTimeout = 10_000; // slow-loris bounds; Twilio itself waits only 5 s
      created.requestTimeout = 10_000; // Twilio gives up after 5 s; a slower upload is not Twilio's
      server = created;
      try {
        await new Promise<void>((resolve, reject) => {
          created.once('error', reject);
          created.listen(options.port ?? 0, host, () => {
            created.off('error', reject);
            resolve();
          });
        });
      } catch (error) {
        server = null;
        throw error;
      }
    }
    const port = boundPort();
    if (port === null) throw new Error('receiver is not listening');
    return { port, localUrl: localUrlOf(port) };
  }

  function stop(): Promise<void> {
    if (stopping !== null) return stopping;
    const closing = server;
    if (closing === null) return Promise.resolve();
    stopping = (async () => {
      const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
      closing.closeIdleConnections();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, graceMs);
        onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
        if (inFlight === 0) onIdle();
      });
      onIdle = null;
      closing.closeAllConnections();
      await closed;
    })().finally(() => {
      server = null;
      stopping = null;
    });
    return stopping;
  }

  function info(): ReceiverInfo {
    const port = boundPort();
    const publicUrl = verification.publicUrl?.redacted ?? null;
    return {
      state: stopping !== null ? 'stopping' : port !== null ? 'listening' : 'idle',
      port,
      localUrl: port === null ? null : localUrlOf(port),
      path,
      verifiesSignature: verification.authToken !== null,
      requiresBasicAuth: verification.publicUrl?.basicAuth != null,
      publicUrl,
      destinationUrl: publicUrl === null ? null : sinkDestinationUrl(publicUrl, path),
    };
  }

  return {
    start,
    stop,
    setVerification: (settings) => {
      verification = toVerificationState(settings, path);
    },
    info,
  };
}

/** A bug's text never reaches the client: a fixed 500, and the connection closes. */
function answerInternalError(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  sendError(res, 500, 'internal_error', 'The receiver failed to handle the request.', { close: true });
}

/** Whether a request target is `path` itself, with or without a query. */
function isExactly(target: string | undefined, path: string): boolean {
  if (target === undefined || !target.startsWith(path)) return false;
  return target.length === path.length || target[path.length] === '?';
}

/** A wildcard bind address is not something a client (or a tunnel) can connect to. */
function connectableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function httpStatusOf(error: unknown): number | null {
  if (typeof error !== 'object' || error === null) return null;
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : null;
}

/**
 * Sends one webhook delivery the way Twilio Event Streams does, and retries it the way Twilio does.
 *
 * Boundary module (outbound HTTP with a credential).
 * - Signing: with an auth token, the body is signed by the receiver module's `signDelivery` (the
 *   very function the fake Twilio uses): `bodySHA256=<hex>` is appended to the URL and
 *   X-Twilio-Signature covers the full URL. With `publicUrl` the signature is computed for the
 *   public URL (public base + the local path, as the receiver rebuilds it) while the request goes
 *   to the local URL with the same query, which is what a tunnel does to Twilio's request.
 * - `user:pass@` in the public (or local) URL becomes HTTP Basic auth, as Twilio sends it.
 * - Retries follow Twilio's rules: 2xx = delivered; 429, 5xx, a network error or no answer within
 *   the 5-second sink time-out = retry with exponential backoff (bounded attempts here, not four
 *   hours); any other 4xx = dropped for good, never retried.
 * - The auth token is used for signing only; it is never logged nor put in an error or summary.
 * Transport: node:http(s) with a keep-alive agent (measured faster than fetch for small POSTs).
 */
import http from 'node:http';
import https from 'node:https';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { parsePublicUrl } from '../receiver/public-url.js';
import { signDelivery } from '../receiver/twilio-signature.js';

export interface DeliveryTarget {
  /** Where to POST (the receiver's local URL, e.g. http://127.0.0.1:8788/events). */
  url: string;
  /** Sign deliveries with this Twilio auth token. */
  authToken?: string;
  /** The public base (or full destination) the receiver verifies signatures against. */
  publicUrl?: string;
  /** Twilio gives a sink 5 seconds to answer. */
  timeoutMs?: number;
  /** Keep-alive sockets to open at most (the player's concurrency). */
  maxSockets?: number;
}

export interface RetryPolicy {
  /** Attempts per delivery, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 250, maxDelayMs: 5_000 };

export type AttemptResult =
  | { kind: 'status'; status: number; retryAfterMs: number | null }
  | { kind: 'network'; code: string };

export type DeliveryResult =
  | { outcome: 'acknowledged' | 'rejected' | 'failed'; attempts: AttemptResult[] }
  | { outcome: 'aborted'; attempts: AttemptResult[] };

/** The destination string Twilio would have signed: public base + local path (unless already there). */
export function signingUrlFor(publicUrl: string, localUrl: string): string {
  const base = parsePublicUrl(publicUrl).signingBases[0] ?? '';
  const localPath = new URL(localUrl).pathname;
  const trimmedPath = localPath.replace(/\/+$/, '');
  if (trimmedPath !== '' && new URL(base).pathname.replace(/\/+$/, '').endsWith(trimmedPath)) return base;
  return base + localPath;
}

const isRetryable = (result: AttemptResult) =>
  result.kind === 'network' || result.status === 429 || result.status >= 500;

export class DeliverySender {
  private readonly local: URL;
  private readonly signingUrl: string | null;
  private readonly authorization: string | null;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;

  constructor(private readonly target: DeliveryTarget) {
    this.local = new URL(target.url);
    if (this.local.protocol !== 'http:' && this.local.protocol !== 'https:') {
      throw new TypeError('url must be an http:// or https:// URL');
    }
    this.signingUrl =
      target.authToken === undefined ? null : target.publicUrl ? signingUrlFor(target.publicUrl, target.url) : target.url;
    const credentials = target.publicUrl ? parsePublicUrl(target.publicUrl).basicAuth : basicAuthOf(this.local);
    this.authorization = credentials
      ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`
      : null;
    const Agent = this.local.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: target.maxSockets ?? 16 });
    this.timeoutMs = target.timeoutMs ?? 5_000;
  }

  /** One POST of `body` (a JSON array of CloudEvents). Never rejects. */
  attempt(body: string, signal?: AbortSignal): Promise<AttemptResult> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': 'flowscope-demo (Twilio Event Streams simulation)',
    };
    let path = this.local.pathname + this.local.search;
    if (this.signingUrl !== null && this.target.authToken !== undefined) {
      const signed = signDelivery(this.target.authToken, this.signingUrl, body);
      headers['x-twilio-signature'] = signed.signature;
      path = this.local.pathname + signed.url.slice(signed.url.indexOf('?'));
    }
    if (this.authorization !== null) headers.authorization = this.authorization;
    const request = this.local.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve) => {
      const req = request(
        {
          agent: this.agent,
          method: 'POST',
          hostname: this.local.hostname.replace(/^\[|\]$/g, ''),
          port: this.local.port,
          path,
          headers,
          signal,
        },
        (res) => {
          res.resume(); // drain so the socket returns to the pool
          res.on('end', () =>
            resolve({ kind: 'status', status: res.statusCode ?? 0, retryAfterMs: retryAfterMs(res.headers['retry-after']) }),
          );
          res.on('error', (error) => resolve({ kind: 'network', code: codeOf(error) }));
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (error) => resolve({ kind: 'network', code: codeOf(error) }));
      req.end(body);
    });
  }

  /** Attempts a delivery until acknowledged, rejected, out of attempts, or aborted. Never rejects. */
  async deliver(
    body: string,
    policy: RetryPolicy,
    signal?: AbortSignal,
    onAttempt?: (result: AttemptResult) => void,
  ): Promise<DeliveryResult> {
    const attempts: AttemptResult[] = [];
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) return { outcome: 'aborted', attempts };
      const result = await this.attempt(body, signal);
      if (signal?.aborted) return { outcome: 'aborted', attempts };
      attempts.push(result);
      onAttempt?.(result);
      if (result.kind === 'status' && result.status >= 200 && result.status < 300) {
        return { outcome: 'acknowledged', attempts };
      }
      if (!isRetryable(result)) return { outcome: 'rejected', attempts };
      if (attempt >= policy.maxAttempts) return { outcome: 'failed', attempts };
      // Exponential backoff with full jitter; a Retry-After is honoured up to the cap.
      const backoff = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const hinted = result.kind === 'status' && result.retryAfterMs !== null ? result.retryAfterMs : 0;
      try {
        await sleep(Math.min(policy.maxDelayMs, Math.max(backoff, hinted)), undefined, { signal });
      } catch {
        return { outcome: 'aborted', attempts };
      }
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

function basicAuthOf(url: URL): { username: string; password: string } | null {
  if (url.username === '' && url.password === '') return null;
  return { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

function retryAfterMs(header: string | undefined): number | null {
  if (header === undefined) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.name : 'ERROR';
}

export type ProbeResult = { ok: true } | { ok: false; code: string };

/** Whether anything accepts TCP connections at the URL's host and port (a pre-flight for the CLI). */
export function probeReceiver(url: string, timeoutMs = 2_000): Promise<ProbeResult> {
  const target = new URL(url);
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  return new Promise((resolve) => {
    const socket = connect({ host: target.hostname.replace(/^\[|\]$/g, ''), port });
    const finish = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish({ ok: false, code: 'ETIMEDOUT' }));
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (error) => finish({ ok: false, code: codeOf(error) }));
  });
}

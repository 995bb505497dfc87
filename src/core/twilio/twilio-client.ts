/**
 * Creates the real `twilio` REST client, optionally pointed at another base URL.
 *
 * Boundary module (outbound HTTP carrying the user's Twilio credentials).
 * Invariants and security assumptions:
 * - Every request goes through {@link FlowscopeRequestClient}, a subclass of twilio's own
 *   RequestClient: twilio keeps building requests, parsing responses and raising RestException
 *   (`.status`, `.code`, `.message`, `.moreInfo`); we only (1) rewrite the origin of
 *   `*.twilio.com` URLs when a base URL is configured and (2) replace transport errors.
 * - Transport errors from axios carry the request config, whose headers hold
 *   `Authorization: Basic base64(sid:token)`. They are never rethrown: a {@link TwilioNetworkError}
 *   with only a code and a fixed sentence replaces them (no `cause`), so logging an error cannot
 *   leak a credential.
 * - `FLOWSCOPE_TWILIO_API_URL` (or the explicit `apiBaseUrl` option) sends EVERY Twilio API
 *   request (api., events., studio., any regional host) to that base, keeping path and query.
 *   Only hosts under twilio.com are rewritten; nothing else is ever contacted. The base is
 *   validated (absolute http(s), no credentials, query or fragment) before any request.
 * - The credentials live only inside the twilio client object; this module never logs them.
 */
import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type Response from 'twilio/lib/http/response.js';
import type { TwilioCredentials } from './credentials.js';

/** The real client type; event-streams.ts and credentials.ts take it as their only dependency. */
export type TwilioClient = twilio.Twilio;

export const TWILIO_API_URL_ENV = 'FLOWSCOPE_TWILIO_API_URL';
/** Shorter than twilio's 30 s default: a Connect step should fail in reasonable time. */
export const DEFAULT_TWILIO_TIMEOUT_MS = 15_000;

export interface TwilioClientOptions {
  /**
   * Base URL (scheme://host[:port][/prefix]) that replaces every *.twilio.com origin.
   * `undefined` reads {@link TWILIO_API_URL_ENV} from `env`; `null` forces the real Twilio hosts.
   */
  apiBaseUrl?: string | null;
  env?: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
}

/** A request that never got an HTTP answer. Carries no request details (see the header). */
export class TwilioNetworkError extends Error {
  override readonly name = 'TwilioNetworkError';
  /** The system / axios error code, e.g. ECONNREFUSED, ENOTFOUND, ETIMEDOUT. */
  readonly code: string;
  constructor(code: string) {
    super(`Network error while calling Twilio's API (${code})`);
    this.code = code;
  }
}

/**
 * Normalizes and checks a base URL. Throws a TypeError whose message names the problem and
 * never echoes the value (it could carry `user:pass@`).
 */
export function parseApiBaseUrl(value: string, source = 'the Twilio API base URL'): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new TypeError(`${source} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`${source} must start with http:// or https://`);
  if (url.username !== '' || url.password !== '') throw new TypeError(`${source} must not contain credentials`);
  if (url.search !== '' || url.hash !== '') throw new TypeError(`${source} must not have a query or fragment`);
  return url.origin + url.pathname.replace(/\/+$/, '');
}

/** The base URL from the environment, or null when the variable is unset or empty. Throws when invalid. */
export function apiBaseUrlFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  const raw = env[TWILIO_API_URL_ENV];
  if (raw === undefined || raw.trim() === '') return null;
  return parseApiBaseUrl(raw, TWILIO_API_URL_ENV);
}

const isTwilioHost = (hostname: string) => hostname === 'twilio.com' || hostname.endsWith('.twilio.com');

/** `https://events.twilio.com/v1/Sinks?Page=1` + base `http://127.0.0.1:4000` -> `http://127.0.0.1:4000/v1/Sinks?Page=1`. */
export function redirectTwilioUrl(uri: string, base: string): string {
  const url = new URL(uri);
  if (!isTwilioHost(url.hostname)) return uri;
  return base + url.pathname + url.search;
}

type RequestOptions<TData> = RequestClient.RequestOptions<TData>;

/** twilio's RequestClient with origin rewriting and credential-free transport errors. */
export class FlowscopeRequestClient extends twilio.RequestClient {
  constructor(
    private readonly apiBaseUrl: string | null,
    timeoutMs: number,
  ) {
    super({ timeout: timeoutMs, autoRetry: true, maxRetries: 3 });
  }

  override async request<TData>(opts: RequestOptions<TData>): Promise<Response<TData>> {
    const uri = this.apiBaseUrl === null ? opts.uri : redirectTwilioUrl(opts.uri, this.apiBaseUrl);
    try {
      return await super.request<TData>({ ...opts, uri });
    } catch (error) {
      throw new TwilioNetworkError(transportCode(error));
    } finally {
      // twilio keeps the last exchange for debugging: the request holds the Authorization header
      // and an account fetch's response holds the account's auth token. Keep neither.
      this.lastRequest = undefined;
      this.lastResponse = undefined;
    }
  }
}

function transportCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ECONNABORTED') return 'ETIMEDOUT'; // axios' name for its own timeout
  if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code;
  return 'ERR_NETWORK';
}

/** The real twilio client for these credentials, honouring FLOWSCOPE_TWILIO_API_URL. */
export function createTwilioClient(credentials: TwilioCredentials, options: TwilioClientOptions = {}): TwilioClient {
  const apiBaseUrl =
    options.apiBaseUrl === undefined
      ? apiBaseUrlFromEnv(options.env ?? process.env)
      : options.apiBaseUrl === null
        ? null
        : parseApiBaseUrl(options.apiBaseUrl);
  const httpClient = new FlowscopeRequestClient(apiBaseUrl, options.timeoutMs ?? DEFAULT_TWILIO_TIMEOUT_MS);
  const [username, password] = 'apiKeySid' in credentials
    ? [credentials.apiKeySid, credentials.apiKeySecret]
    : [credentials.accountSid, credentials.authToken];
  // An explicit log level: TWILIO_LOG_LEVEL=debug in the environment would print every request.
  return twilio(username, password, { accountSid: credentials.accountSid, httpClient, logLevel: 'warn' });
}

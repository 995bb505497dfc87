/**
 * Turns anything the twilio client throws into `{ code, message }` a user can act on.
 *
 * Boundary module (error text crosses to the UI, logs and the headless console).
 * Security assumptions:
 * - A message never contains a credential: the exact secrets passed in are replaced, and so are
 *   `Basic …` / `Bearer …` authorization values and any bare 32-hex-digit string (the shape of an
 *   auth token; SIDs are not bare, they carry a two-letter prefix and are kept).
 * - Only fields we pick are read (status, code, message); request details that some errors carry
 *   (axios config with headers) are never looked at, let alone copied.
 */
import twilio from 'twilio';
import { TwilioNetworkError, type TwilioClient } from './twilio-client.js';

export type TwilioErrorKind =
  /** 401 / 20003: the credentials are wrong. */
  | 'auth'
  /** 403: valid credentials without the permission (e.g. a restricted API key). */
  | 'forbidden'
  | 'not_found'
  | 'rate_limited'
  /** No HTTP answer: refused, DNS, time-out, reset. */
  | 'network'
  /** Any other Twilio REST error. */
  | 'twilio'
  /** Not from Twilio's API (a bad argument, a bug). */
  | 'unknown';

export interface TwilioErrorDescription {
  /** Twilio's numeric error code, a network error code (e.g. 'ECONNREFUSED'), or null. */
  code: string | number | null;
  message: string;
  kind: TwilioErrorKind;
  /** HTTP status of Twilio's answer, when there was one. */
  status: number | null;
}

export interface DescribeTwilioErrorOptions {
  /** Values to blank out wherever they appear (auth token, API key secret). */
  secrets?: readonly (string | null | undefined)[];
  /** Which credential fields to point the user at on an authentication failure. */
  credentials?: 'auth-token' | 'api-key';
}

export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH',
  'ENETDOWN', 'EPIPE', 'ECONNABORTED', 'ERR_NETWORK', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT',
  'CERT_HAS_EXPIRED', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN',
]);

const MAX_MESSAGE_LENGTH = 500;
const REDACTED = '[redacted]';

/** Removes credentials from a text (see the header for what counts as one). */
export function scrubSecrets(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length >= 8) out = out.split(secret).join(REDACTED);
  }
  return out
    .replace(/\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]+/gi, `$1 ${REDACTED}`)
    .replace(/(?<![A-Za-z0-9])[0-9a-fA-F]{32}(?![0-9a-fA-F])/g, REDACTED);
}

interface HttpFailure {
  status: number;
  code: number | null;
  message: string | null;
}

/** RestException, or twilio's RFC 9457 TwilioServiceException (same `status`/`code`, `detail`/`title`). */
function asHttpFailure(error: unknown): HttpFailure | null {
  if (typeof error !== 'object' || error === null) return null;
  const candidate = error as { status?: unknown; code?: unknown; message?: unknown; detail?: unknown; title?: unknown };
  const isRest = error instanceof twilio.RestException;
  const looksRfc9457 = typeof candidate.title === 'string' && typeof candidate.status === 'number';
  if (!isRest && !looksRfc9457) return null;
  if (typeof candidate.status !== 'number') return null;
  const text = [candidate.detail, candidate.message, candidate.title].find((value) => typeof value === 'string' && value !== '');
  return {
    status: candidate.status,
    code: typeof candidate.code === 'number' ? candidate.code : null,
    message: typeof text === 'string' ? text : null,
  };
}

function networkCode(error: unknown): string | null {
  if (error instanceof TwilioNetworkError) return error.code;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && NETWORK_ERROR_CODES.has(code) ? code : null;
}

/** Whether Twilio answered 404 (e.g. deleting a resource that is already gone). */
export function isTwilioNotFound(error: unknown): boolean {
  return asHttpFailure(error)?.status === 404;
}

/** `{ code, message }` for the user; never includes a credential. */
export function describeTwilioError(error: unknown, options: DescribeTwilioErrorOptions = {}): TwilioErrorDescription {
  const secrets = options.secrets ?? [];
  const clean = (text: string) => {
    const scrubbed = scrubSecrets(text, secrets);
    return scrubbed.length > MAX_MESSAGE_LENGTH ? `${scrubbed.slice(0, MAX_MESSAGE_LENGTH)}…` : scrubbed;
  };

  const http = asHttpFailure(error);
  if (http !== null) {
    const twilioText = http.message ?? `HTTP ${http.status}`;
    if (http.code === 20003 || http.status === 401) {
      const fields = options.credentials === 'api-key' ? 'Account SID, API Key SID and API Key secret' : 'Account SID and Auth Token';
      return {
        code: http.code ?? 20003,
        kind: 'auth',
        status: http.status,
        message: clean(`Twilio rejected these credentials (error ${http.code ?? 20003}: ${http.message ?? 'Authenticate'}). Check the ${fields}.`),
      };
    }
    const kind: TwilioErrorKind =
      http.status === 403 ? 'forbidden' : http.status === 404 ? 'not_found' : http.status === 429 ? 'rate_limited' : 'twilio';
    const label = http.code === null ? `HTTP ${http.status}` : String(http.code);
    return { code: http.code, kind, status: http.status, message: clean(`Twilio error ${label}: ${twilioText}`) };
  }

  const network = networkCode(error);
  if (network !== null) {
    return { code: network, kind: 'network', status: null, message: `Cannot reach Twilio's API (network down?) [${network}]` };
  }

  const text = error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
  return { code: null, kind: 'unknown', status: null, message: clean(`Twilio request failed: ${text}`) };
}

/** {@link describeTwilioError} for a failure of `client`'s request: scrubs its secret, names its credential kind. */
export function describeTwilioErrorFor(client: TwilioClient, error: unknown): TwilioErrorDescription {
  return describeTwilioError(error, {
    secrets: [client.password],
    credentials: client.username?.startsWith('SK') ? 'api-key' : 'auth-token',
  });
}

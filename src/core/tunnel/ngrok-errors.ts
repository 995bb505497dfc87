/**
 * Turns an error thrown by `@ngrok/ngrok` into a {@link TunnelError} a user can act on. Pure: no
 * SDK import, no network; tested with error objects shaped like the SDK's.
 *
 * The SDK's shape (1.x, index.js `populateErrorCode`): a plain `Error` whose message ends with
 * `error_code: ERR_NGROK_<n>` when ngrok's servers refused, copied into `err.errorCode`; the napi
 * layer also sets `err.code = 'GenericFailure'`. With no network the first connect fails at once
 * with no ngrok code: `failed to connect session: failed to establish tcp connection`.
 *
 * Security: ngrok's own texts for ERR_NGROK_105/106/107 quote the authtoken ("Your authtoken:
 * …"). The mapped message is one of our sentences; only for unknown codes is ngrok's text shown,
 * and then with every given secret and every "Your authtoken/credential/key: …" value masked.
 */
import { redact, REDACTED } from '../secrets/redact.js';
import { TunnelError, type TunnelErrorKind } from './tunnel-provider.js';

export const NGROK_AUTHTOKEN_PAGE = 'https://dashboard.ngrok.com/get-started/your-authtoken';
export const NGROK_DOMAINS_PAGE = 'https://dashboard.ngrok.com/domains';

interface KnownCode {
  kind: TunnelErrorKind;
  retryable: boolean;
  message: string;
}

/**
 * 108 and 334 are retryable: right after a connection drop ngrok may still count the old
 * session (and its endpoint) for a while, so our own rebuild can meet them briefly.
 */
const KNOWN_CODES: Record<string, KnownCode> = {
  ERR_NGROK_105: {
    kind: 'authtoken-malformed',
    retryable: false,
    message: `The ngrok authtoken is malformed. Copy it again from ${NGROK_AUTHTOKEN_PAGE}`,
  },
  ERR_NGROK_107: {
    kind: 'authtoken-invalid',
    retryable: false,
    message: `ngrok rejected the authtoken (it may have been reset or revoked). Copy your current authtoken from ${NGROK_AUTHTOKEN_PAGE}`,
  },
  ERR_NGROK_4018: {
    kind: 'authtoken-missing',
    retryable: false,
    message: `ngrok needs an account: add your ngrok authtoken: ${NGROK_AUTHTOKEN_PAGE}`,
  },
  ERR_NGROK_108: {
    kind: 'too-many-sessions',
    retryable: true,
    message:
      'Your ngrok account already has the maximum number of agent sessions: another ngrok agent is running ' +
      'with this authtoken (another Flowscope, or the ngrok command). Stop it, then connect again.',
  },
  ERR_NGROK_334: {
    kind: 'endpoint-already-online',
    retryable: true,
    message:
      'This ngrok URL is already online in another ngrok session (another Flowscope or ngrok agent is using it). ' +
      'Stop that one, or choose another domain.',
  },
  ERR_NGROK_319: {
    kind: 'domain-not-reserved',
    retryable: false,
    message: `The ngrok domain is not reserved on your account. Reserve it at ${NGROK_DOMAINS_PAGE}, or leave the domain empty to use your free dev domain.`,
  },
  ERR_NGROK_320: {
    kind: 'domain-taken',
    retryable: false,
    message:
      "The ngrok domain is reserved by another ngrok account. Use a domain reserved on your own account, or check that the authtoken belongs to the domain's account.",
  },
  ERR_NGROK_725: {
    kind: 'quota-exceeded',
    retryable: false,
    message: 'Your ngrok account has used up its monthly quota. Wait for the next billing period or upgrade your ngrok plan.',
  },
  ERR_NGROK_727: {
    kind: 'quota-exceeded',
    retryable: false,
    message: 'Your ngrok account has used up its monthly quota. Wait for the next billing period or upgrade your ngrok plan.',
  },
};

const OFFLINE_PATTERNS = [
  /failed to establish tcp connection/i,
  /dns|resolve|lookup|name or service not known|nodename nor servname/i,
  /network is unreachable|no route to host|connection refused|connection reset|timed? ?out/i,
];

/** Maps what `forward()` threw; `secrets` (the authtoken) are masked in any text taken from ngrok. */
export function tunnelErrorFromNgrok(error: unknown, secrets: ReadonlyArray<string | null | undefined> = []): TunnelError {
  const rawMessage = messageOf(error);
  const code = ngrokErrorCode(error);
  if (code !== null) {
    const known = KNOWN_CODES[code];
    if (known !== undefined) return new TunnelError(known.message, known.kind, code, known.retryable);
    return new TunnelError(`ngrok error ${code}: ${cleanNgrokText(rawMessage, secrets)}`, 'other', code, true);
  }
  if (OFFLINE_PATTERNS.some((pattern) => pattern.test(rawMessage))) {
    return new TunnelError('Cannot reach ngrok — network down? Check your internet connection.', 'offline', null, true);
  }
  const detail = cleanNgrokText(rawMessage, secrets);
  return new TunnelError(detail === '' ? 'ngrok error' : `ngrok error: ${detail}`, 'other', null, true);
}

/** `err.errorCode` as the SDK sets it, else an `ERR_NGROK_<n>` found in the message, else null. */
export function ngrokErrorCode(error: unknown): string | null {
  if (typeof error === 'object' && error !== null && 'errorCode' in error) {
    const value = error.errorCode;
    if (typeof value === 'string' && /^ERR_NGROK_\d+$/.test(value)) return value;
  }
  const match = /ERR_NGROK_\d+/.exec(messageOf(error));
  return match ? match[0] : null;
}

const SECRET_ECHO = /(your (?:authtoken|credential|key|authentication)\s*:\s*)\S+/gi;
const MAX_DETAIL_LENGTH = 400;

/**
 * ngrok's text made presentable: secrets and echoed tokens masked, the trailing
 * `error_code: …` and bare code lines dropped (the code is shown once), whitespace collapsed.
 */
export function cleanNgrokText(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  const cleaned = redact(text, secrets)
    .replace(SECRET_ECHO, `$1${REDACTED}`)
    .replace(/,?\s*error_code:\s*ERR_NGROK_\d+\s*$/i, '')
    .replace(/^\s*ERR_NGROK_\d+\s*$/gim, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned.length > MAX_DETAIL_LENGTH ? `${cleaned.slice(0, MAX_DETAIL_LENGTH - 1)}…` : cleaned;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error && typeof error.message === 'string') {
    return error.message;
  }
  return typeof error === 'string' ? error : '';
}

/**
 * The tunnel seam: how the connect flow obtains a public URL for the local receiver. Providers:
 * ngrok (ngrok-tunnel.ts), the user's own URL ({@link StaticUrlProvider}), and a fake in tests.
 *
 * Invariants and security assumptions:
 * - `open` resolves only with a usable public URL (`https://…` or `http://…`), or rejects with a
 *   {@link TunnelError} whose message a user can act on and which never contains the authtoken
 *   (providers redact; no `cause` chain is attached, since raw SDK errors may echo the token).
 * - Status callbacks (`onStatus`, `onStatusChange`) are never called after `close()` resolves.
 * - `close()` is idempotent and does not reject: a tunnel that is already gone is closed.
 */
import { parsePublicUrl } from '../receiver/public-url.js';

/** What the tunnel service reports about the link: `closed` = lost, `connected` = (re)established. */
export type TunnelLinkStatus = 'connected' | 'closed';

export interface TunnelOpenOptions {
  /** The local receiver as `host:port`, e.g. `127.0.0.1:43123`. */
  localAddr: string;
  authtoken?: string;
  /** A reserved domain (bare hostname; a scheme or trailing path is stripped by the provider). */
  domain?: string;
  /** Called on every link status change, including ones that arrive before `open` resolves. */
  onStatus?: (status: TunnelLinkStatus) => void;
}

export interface Tunnel {
  /** The public URL that forwards to `localAddr` (no trailing slash). */
  readonly url: string;
  close(): Promise<void>;
  /** Returns an unsubscribe function. */
  onStatusChange(listener: (status: TunnelLinkStatus) => void): () => void;
}

export interface TunnelProvider {
  /** Short name for logs and the UI, e.g. `ngrok`, `static`. */
  readonly name: string;
  open(options: TunnelOpenOptions): Promise<Tunnel>;
}

export type TunnelErrorKind =
  | 'authtoken-missing'
  | 'authtoken-malformed'
  | 'authtoken-invalid'
  | 'too-many-sessions'
  | 'endpoint-already-online'
  | 'domain-not-reserved'
  | 'domain-taken'
  | 'quota-exceeded'
  | 'offline'
  | 'timeout'
  | 'invalid-config'
  /** The tunnel was stopped while it was opening. */
  | 'cancelled'
  | 'other';

/** A tunnel failure with a user-facing message (never containing a secret). */
export class TunnelError extends Error {
  override name = 'TunnelError';
  constructor(
    message: string,
    readonly kind: TunnelErrorKind,
    /** The provider's error code, e.g. `ERR_NGROK_107`, when it gave one. */
    readonly code: string | null = null,
    /** Whether trying again later may succeed (network trouble) rather than needing the user. */
    readonly retryable: boolean = false,
  ) {
    super(message);
  }
}

/** The URL given with FLOWSCOPE_PUBLIC_URL, or null when unset or blank. */
export function publicUrlFromEnv(env: Readonly<Record<string, string | undefined>>): string | null {
  const value = env.FLOWSCOPE_PUBLIC_URL?.trim();
  return value === undefined || value === '' ? null : value;
}

/**
 * "I have my own public URL": no tunnel is opened; the URL (a reverse proxy, a tunnel the user
 * runs, or a fake in tests) is returned as given, minus a trailing slash. Its link status never
 * changes: Flowscope cannot observe it.
 */
export class StaticUrlProvider implements TunnelProvider {
  readonly name = 'static';
  private readonly url: string;

  /** Throws a TypeError (not echoing credentials) unless `url` is an absolute http(s) URL. */
  constructor(url: string) {
    parsePublicUrl(url);
    this.url = url.trim().replace(/\/+$/, '');
  }

  async open(_options: TunnelOpenOptions): Promise<Tunnel> {
    const url = this.url;
    return {
      url,
      close: async () => undefined,
      onStatusChange: () => () => undefined,
    };
  }
}

/**
 * The ngrok tunnel provider: an adapter over `@ngrok/ngrok` 1.x `forward()`.
 *
 * Invariants and security assumptions:
 * - The authtoken is required and passed only to `forward()`; every failure becomes a
 *   TunnelError through ngrok-errors.ts, which masks it. It is never logged.
 * - Each `open` forces a new ngrok session (`force_new_session`): the SDK otherwise re-uses one
 *   process-wide session, whose status callbacks are those of the first `forward()` and whose
 *   own reconnect backoff (up to ~104 min) is what a rebuild must escape.
 * - The SDK is loaded lazily (a native addon): importing this module costs nothing until a
 *   tunnel is opened, and tests inject `forward` to run without the network.
 * - Status callbacks run on the SDK's native thread-safe function; a listener that throws is
 *   contained here rather than becoming an uncaught exception. None fire after `close()`, nor
 *   after a failed `open` (the SDK reports `closed` for the session it could not open).
 */
import { NGROK_AUTHTOKEN_PAGE, tunnelErrorFromNgrok } from './ngrok-errors.js';
import {
  TunnelError,
  type Tunnel,
  type TunnelLinkStatus,
  type TunnelOpenOptions,
  type TunnelProvider,
} from './tunnel-provider.js';

/** The subset of the SDK's `Config` this adapter sets. */
export interface NgrokForwardConfig {
  addr: string;
  authtoken: string;
  domain?: string;
  force_new_session: boolean;
  onStatusChange: (status: string) => void;
  session_metadata?: string;
  server_addr?: string;
}

/** The subset of the SDK's `Listener` this adapter uses. */
export interface NgrokListenerLike {
  url(): string | null;
  close(): Promise<void>;
}

export type NgrokForward = (config: NgrokForwardConfig) => Promise<NgrokListenerLike>;

export interface NgrokTunnelProviderOptions {
  /** Replaces the SDK's `forward` (tests). */
  forward?: NgrokForward;
  /** ngrok's `server_addr` (a custom agent ingress; tests point it at a closed loopback port). */
  serverAddr?: string;
  /** Shown in the ngrok dashboard for the agent session. */
  sessionMetadata?: string;
}

export class NgrokTunnelProvider implements TunnelProvider {
  readonly name = 'ngrok';

  constructor(private readonly options: NgrokTunnelProviderOptions = {}) {}

  async open(options: TunnelOpenOptions): Promise<Tunnel> {
    const authtoken = options.authtoken?.trim() ?? '';
    if (authtoken === '') {
      throw new TunnelError(`add your ngrok authtoken: ${NGROK_AUTHTOKEN_PAGE}`, 'authtoken-missing');
    }
    const domain = normalizeNgrokDomain(options.domain);
    const relay = new StatusRelay(options.onStatus);
    const config: NgrokForwardConfig = {
      addr: normalizeLocalAddr(options.localAddr),
      authtoken,
      force_new_session: true,
      onStatusChange: (status) => relay.deliver(status),
      session_metadata: this.options.sessionMetadata ?? 'flowscope',
    };
    if (domain !== undefined) config.domain = domain;
    if (this.options.serverAddr !== undefined) config.server_addr = this.options.serverAddr;

    let listener: NgrokListenerLike;
    try {
      const forward = this.options.forward ?? (await loadSdkForward());
      listener = await forward(config);
    } catch (error) {
      relay.stop();
      throw tunnelErrorFromNgrok(error, [authtoken]);
    }
    const url = listener.url();
    if (url === null || url === '') {
      relay.stop();
      await closeQuietly(listener);
      throw new TunnelError('ngrok opened a tunnel but reported no public URL', 'other', null, true);
    }
    return new NgrokTunnel(url.replace(/\/+$/, ''), listener, relay);
  }
}

/**
 * `https://Example.ngrok-free.app/` -> `example.ngrok-free.app`; blank -> undefined. ngrok wants a
 * bare hostname in `domain`. Throws a TunnelError for anything that is not a hostname.
 */
export function normalizeNgrokDomain(domain: string | undefined): string | undefined {
  const bare = (domain ?? '')
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/[/?#].*$/s, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (bare === '') return undefined;
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/.test(bare)) {
    throw new TunnelError(
      'The ngrok domain must be a hostname such as example.ngrok-free.app (no port or path)',
      'invalid-config',
    );
  }
  return bare;
}

/** `http://127.0.0.1:8080/` -> `127.0.0.1:8080`; `host:port` unchanged. */
export function normalizeLocalAddr(localAddr: string): string {
  return localAddr.trim().replace(/^http:\/\//i, '').replace(/\/+$/, '');
}

async function loadSdkForward(): Promise<NgrokForward> {
  const sdk = await import('@ngrok/ngrok');
  return (config) => sdk.forward(config);
}

/** Fans SDK status strings out to the open options' callback and the tunnel's listeners. */
class StatusRelay {
  private stopped = false;
  private readonly listeners = new Set<(status: TunnelLinkStatus) => void>();

  constructor(private readonly onStatus: ((status: TunnelLinkStatus) => void) | undefined) {}

  deliver(raw: string): void {
    if (this.stopped || (raw !== 'connected' && raw !== 'closed')) return;
    for (const listener of [this.onStatus, ...this.listeners]) {
      try {
        listener?.(raw);
      } catch {
        // A listener's bug must not surface as an uncaught error from the SDK's native callback.
      }
    }
  }

  add(listener: (status: TunnelLinkStatus) => void): () => void {
    if (this.stopped) return () => undefined;
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    this.listeners.clear();
  }
}

class NgrokTunnel implements Tunnel {
  private closing: Promise<void> | null = null;

  constructor(
    readonly url: string,
    private readonly listener: NgrokListenerLike,
    private readonly relay: StatusRelay,
  ) {}

  onStatusChange(listener: (status: TunnelLinkStatus) => void): () => void {
    return this.relay.add(listener);
  }

  close(): Promise<void> {
    if (this.closing === null) {
      this.relay.stop();
      this.closing = closeQuietly(this.listener);
    }
    return this.closing;
  }
}

/** Closing a listener whose session is gone can fail; the tunnel is closed either way. */
async function closeQuietly(listener: NgrokListenerLike): Promise<void> {
  try {
    await listener.close();
  } catch {
    // Already closed or session lost: nothing left to release on our side.
  }
}

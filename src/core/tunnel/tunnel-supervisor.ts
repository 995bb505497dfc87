/**
 * Keeps a tunnel up for as long as Flowscope is connected.
 *
 * The ngrok SDK reconnects a dropped session by itself, but with a backoff that reaches ~104 min
 * (DESIGN.md section 7). So the supervisor watches the link status: a `closed` link that does not
 * come back within `graceMs` (enough for the SDK's quick 50 ms and 2.5 s retries) is torn down
 * and reopened with our own capped backoff (backoff.ts). A reopened tunnel may have a new URL:
 * the `url` event fires and the connect flow re-points the sink.
 *
 * Invariants:
 * - At most one tunnel is open at a time: the old one is closed (bounded by `closeTimeoutMs`)
 *   before a new one is opened; a tunnel that opens after its attempt timed out or after `stop()`
 *   is closed as soon as it arrives.
 * - Status from a superseded tunnel is ignored (each open carries a generation number).
 * - `start()` does not retry: the first open either gives a URL or rejects, so the connect flow
 *   can report the failure and undo its steps. Retries happen only after the tunnel was online.
 * - Errors that need the user (bad authtoken, domain, quota: `retryable: false`) end in the
 *   `failed` state instead of retrying forever; network trouble retries until `stop()`.
 * - Messages never contain the authtoken: providers throw redacted TunnelErrors, and any other
 *   error is redacted here.
 * - A supervisor is single-use: after `stop()` (or `failed`) create a new one to connect again.
 */
import { redact } from '../secrets/redact.js';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import {
  TunnelError,
  type Tunnel,
  type TunnelErrorKind,
  type TunnelLinkStatus,
  type TunnelOpenOptions,
  type TunnelProvider,
} from './tunnel-provider.js';

export type TunnelSupervisorStatus =
  | { state: 'idle' }
  | { state: 'connecting' }
  | { state: 'online'; url: string }
  /** `attempt` is the number of the next rebuild (1 = first), due at `nextRetryAt` (epoch ms). */
  | { state: 'reconnecting'; attempt: number; nextRetryAt: number; reason: string }
  | { state: 'failed'; message: string; kind: TunnelErrorKind; code: string | null }
  | { state: 'stopped' };

export interface SupervisorTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface TunnelSupervisorOptions {
  provider: TunnelProvider;
  open: Omit<TunnelOpenOptions, 'onStatus'>;
  /** How long a closed link may stay closed before we rebuild it. Default 8 s. */
  graceMs?: number;
  backoff?: Partial<BackoffPolicy>;
  /** An open that has not settled by then counts as failed (offline networks can hang). Default 30 s. */
  openTimeoutMs?: number;
  /** Closing a tunnel whose session is gone may never answer. Default 5 s. */
  closeTimeoutMs?: number;
  timers?: SupervisorTimers;
  /** Returns [0, 1); drives the backoff jitter. */
  random?: () => number;
}

export interface TunnelSupervisorEvents {
  /** The public URL: once when first online, then whenever a rebuild yields a different one. */
  url: (url: string, previous: string | null) => void;
  status: (status: TunnelSupervisorStatus) => void;
}

export const DEFAULT_GRACE_MS = 8_000;
export const DEFAULT_OPEN_TIMEOUT_MS = 30_000;
export const DEFAULT_CLOSE_TIMEOUT_MS = 5_000;

const REAL_TIMERS: SupervisorTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class TunnelSupervisor {
  private readonly timers: SupervisorTimers;
  private readonly backoff: BackoffPolicy;
  private readonly listeners = { url: new Set<TunnelSupervisorEvents['url']>(), status: new Set<TunnelSupervisorEvents['status']>() };
  private currentStatus: TunnelSupervisorStatus = { state: 'idle' };
  private currentUrl: string | null = null;
  private tunnel: Tunnel | null = null;
  /** Bumped by every open and by stop(); callbacks and results of older generations are ignored. */
  private generation = 0;
  private linkClosed = false;
  private failures = 0;
  private timer: unknown = null;
  private inflight: Promise<unknown> | null = null;
  private stopped = false;

  constructor(private readonly options: TunnelSupervisorOptions) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  }

  get url(): string | null {
    return this.currentUrl;
  }

  get status(): TunnelSupervisorStatus {
    return this.currentStatus;
  }

  /** Returns an unsubscribe function. Listeners run synchronously; their exceptions are contained. */
  on<E extends keyof TunnelSupervisorEvents>(event: E, listener: TunnelSupervisorEvents[E]): () => void {
    const set = this.listeners[event] as Set<TunnelSupervisorEvents[E]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Opens the tunnel once; resolves with its URL or rejects with a TunnelError (state `failed`). */
  async start(): Promise<string> {
    if (this.currentStatus.state !== 'idle') throw new Error('TunnelSupervisor.start() may be called once');
    this.setStatus({ state: 'connecting' });
    const attempt = this.connect();
    this.inflight = attempt;
    try {
      return await attempt;
    } catch (error) {
      const failure = this.toTunnelError(error);
      if (!this.stopped) this.fail(failure);
      throw failure;
    } finally {
      if (this.inflight === attempt) this.inflight = null;
    }
  }

  /** Closes the tunnel and cancels any pending rebuild; resolves once nothing is left open. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.generation += 1;
    this.clearTimer();
    const tunnel = this.tunnel;
    this.tunnel = null;
    const pending = this.inflight;
    if (tunnel !== null) await this.closeBounded(tunnel);
    // An open in flight closes its own tunnel when it sees the generation has moved on.
    if (pending !== null) await pending.catch(() => undefined);
    this.setStatus({ state: 'stopped' });
  }

  private handleLinkStatus(generation: number, status: TunnelLinkStatus): void {
    if (generation !== this.generation || this.stopped) return;
    this.linkClosed = status === 'closed';
    const state = this.currentStatus.state;
    if (status === 'closed' && state === 'online') {
      this.scheduleRebuild(this.options.graceMs ?? DEFAULT_GRACE_MS, 'The tunnel connection was lost');
    } else if (status === 'connected' && state === 'reconnecting' && this.tunnel !== null) {
      // The SDK reconnected the same tunnel within the grace period: same URL, nothing to rebuild.
      this.clearTimer();
      this.setStatus({ state: 'online', url: this.tunnel.url });
    }
  }

  private scheduleRebuild(delayMs: number, reason: string): void {
    this.clearTimer();
    this.setStatus({
      state: 'reconnecting',
      attempt: this.failures + 1,
      nextRetryAt: this.timers.now() + delayMs,
      reason,
    });
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      const rebuild = this.rebuild();
      this.inflight = rebuild;
      // rebuild() handles its own failures; the catch only keeps a bug from crashing the process.
      void rebuild
        .finally(() => {
          if (this.inflight === rebuild) this.inflight = null;
        })
        .catch(() => undefined);
    }, delayMs);
  }

  private async rebuild(): Promise<void> {
    const old = this.tunnel;
    this.tunnel = null;
    this.generation += 1; // the old tunnel's status callbacks are now ignored
    const generation = this.generation;
    if (old !== null) await this.closeBounded(old);
    if (generation !== this.generation) return;
    try {
      await this.connect();
    } catch (error) {
      if (this.stopped) return;
      const failure = this.toTunnelError(error);
      if (!failure.retryable) return this.fail(failure);
      this.failures += 1;
      this.scheduleRebuild(backoffDelay(this.failures, this.backoff, this.options.random), failure.message);
    }
  }

  /**
   * Opens a tunnel of a new generation, bounded by the open timeout, and goes online with it in
   * the same step as the generation check, so a concurrent stop() either cancels it or sees it.
   */
  private async connect(): Promise<string> {
    this.generation += 1;
    const generation = this.generation;
    this.linkClosed = false;
    const opening = this.options.provider.open({
      ...this.options.open,
      onStatus: (status) => this.handleLinkStatus(generation, status),
    });
    const timeoutMs = this.options.openTimeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
    let handle: unknown = null;
    const timeout = new Promise<never>((_, reject) => {
      handle = this.timers.setTimeout(() => {
        reject(new TunnelError(`The tunnel did not open within ${Math.round(timeoutMs / 1000)} s`, 'timeout', null, true));
      }, timeoutMs);
    });
    let tunnel: Tunnel;
    try {
      tunnel = await Promise.race([opening, timeout]);
    } catch (error) {
      // A late tunnel from a timed-out attempt must not stay open unseen.
      opening.then((late) => this.closeBounded(late), () => undefined);
      throw error;
    } finally {
      this.timers.clearTimeout(handle);
    }
    if (generation !== this.generation) {
      await this.closeBounded(tunnel);
      throw new TunnelError('The tunnel was stopped while it was opening', 'cancelled');
    }
    this.becomeOnline(tunnel);
    return tunnel.url;
  }

  private becomeOnline(tunnel: Tunnel): void {
    this.tunnel = tunnel;
    this.failures = 0;
    const previous = this.currentUrl;
    this.currentUrl = tunnel.url;
    this.setStatus({ state: 'online', url: tunnel.url });
    if (tunnel.url !== previous) this.emit('url', tunnel.url, previous);
    // The link may have dropped between the provider's `closed` and `open` resolving.
    if (this.linkClosed) this.scheduleRebuild(this.options.graceMs ?? DEFAULT_GRACE_MS, 'The tunnel connection was lost');
  }

  private fail(failure: TunnelError): void {
    this.clearTimer();
    this.setStatus({ state: 'failed', message: failure.message, kind: failure.kind, code: failure.code });
  }

  private async closeBounded(tunnel: Tunnel): Promise<void> {
    let handle: unknown = null;
    const timeout = new Promise<void>((resolve) => {
      handle = this.timers.setTimeout(resolve, this.options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS);
    });
    try {
      await Promise.race([tunnel.close().catch(() => undefined), timeout]);
    } finally {
      this.timers.clearTimeout(handle);
    }
  }

  private toTunnelError(error: unknown): TunnelError {
    if (error instanceof TunnelError) return error;
    const raw = error instanceof Error ? error.message : String(error);
    const message = redact(raw, [this.options.open.authtoken]).trim();
    return new TunnelError(message === '' ? 'The tunnel failed' : `The tunnel failed: ${message}`, 'other', null, true);
  }

  private clearTimer(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private setStatus(status: TunnelSupervisorStatus): void {
    this.currentStatus = status;
    this.emit('status', status);
  }

  private emit<E extends keyof TunnelSupervisorEvents>(event: E, ...args: Parameters<TunnelSupervisorEvents[E]>): void {
    for (const listener of [...this.listeners[event]]) {
      try {
        (listener as (...values: Parameters<TunnelSupervisorEvents[E]>) => void)(...args);
      } catch {
        // A subscriber's bug must not leave the supervisor half-way through a transition.
      }
    }
  }
}

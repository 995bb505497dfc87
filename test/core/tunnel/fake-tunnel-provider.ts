/**
 * A fake TunnelProvider for tests (the stand-in for ngrok, which cannot be reached here).
 *
 * Two modes:
 * - `synthetic` (default): no sockets; each open gets a URL from `urlFor(openIndex)`
 *   (`https://fake-1.tunnel.test`, `https://fake-2…`, so URLs change on reopen). For unit tests,
 *   fake timers included: everything settles through promises, no timers.
 * - `proxy`: each open starts a real loopback HTTP proxy on port 0 that forwards to `localAddr`,
 *   so a fake Twilio can deliver to the "public" URL `http://127.0.0.1:<port>`. A new port per
 *   open makes the URL change on reopen, as a free ngrok URL can (`keepPort` re-uses the port,
 *   like a reserved domain). While a tunnel is dropped it answers 404 like ngrok's offline page.
 *
 * Controls: `failNextOpen(error, times)`, `holdNextOpen()` (open waits until released), and per
 * tunnel `drop()` / `restore()` (link status `closed` / `connected`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Tunnel, TunnelLinkStatus, TunnelOpenOptions, TunnelProvider } from '../../../src/core/tunnel/tunnel-provider.js';

export interface FakeTunnelProviderOptions {
  mode?: 'synthetic' | 'proxy';
  /** Synthetic mode: the URL of the n-th open (1-based). */
  urlFor?: (openIndex: number) => string;
  /** Proxy mode: reopen on the previous port, keeping the URL stable. */
  keepPort?: boolean;
}

export interface HeldOpen {
  /** Lets the held open proceed (it then succeeds or fails as configured). */
  release(): void;
  /** Makes the held open reject with `error`. */
  reject(error: Error): void;
  /** Reports a link status for the held open (through its `onStatus`) before it resolves. */
  emitStatus(status: TunnelLinkStatus): void;
}

export class FakeTunnelProvider implements TunnelProvider {
  readonly name = 'fake';
  /** Every open call's options (without the callback), in order. */
  readonly openCalls: Array<Omit<TunnelOpenOptions, 'onStatus'>> = [];
  /** Every tunnel opened successfully, in order. */
  readonly tunnels: FakeTunnel[] = [];
  private readonly failures: Error[] = [];
  private persistentFailure: Error | null = null;
  private readonly holds: Array<(control: HeldOpenControl) => void> = [];
  private lastPort = 0;

  constructor(private readonly options: FakeTunnelProviderOptions = {}) {}

  /** The `times` next opens reject with `error` (Infinity: until `clearFailures()`). */
  failNextOpen(error: Error, times = 1): void {
    if (times === Infinity) this.persistentFailure = error;
    else for (let i = 0; i < times; i += 1) this.failures.push(error);
  }

  clearFailures(): void {
    this.failures.length = 0;
    this.persistentFailure = null;
  }

  /** The next open waits until the returned handle releases or rejects it. */
  holdNextOpen(): HeldOpen {
    let control: HeldOpenControl | null = null;
    const queued: Array<(c: HeldOpenControl) => void> = [];
    const whenReady = (action: (c: HeldOpenControl) => void) => (control ? action(control) : queued.push(action));
    this.holds.push((c) => {
      control = c;
      for (const action of queued.splice(0)) action(c);
    });
    return {
      release: () => whenReady((c) => c.release()),
      reject: (error) => whenReady((c) => c.reject(error)),
      emitStatus: (status) => whenReady((c) => c.onStatus?.(status)),
    };
  }

  /** The most recently opened tunnel that is not closed. */
  get current(): FakeTunnel | undefined {
    return [...this.tunnels].reverse().find((tunnel) => !tunnel.closed);
  }

  get openTunnels(): FakeTunnel[] {
    return this.tunnels.filter((tunnel) => !tunnel.closed);
  }

  async open(options: TunnelOpenOptions): Promise<Tunnel> {
    const { onStatus, ...rest } = options;
    this.openCalls.push(rest);
    const index = this.openCalls.length;
    const hold = this.holds.shift();
    if (hold !== undefined) {
      await new Promise<void>((resolve, reject) => hold({ release: resolve, reject, onStatus }));
    }
    const failure = this.failures.shift() ?? this.persistentFailure;
    if (failure !== null) throw failure;
    const tunnel =
      this.options.mode === 'proxy'
        ? await FakeTunnel.proxy(index, options.localAddr, this.options.keepPort ? this.lastPort : 0, onStatus)
        : new FakeTunnel(index, this.options.urlFor?.(index) ?? `https://fake-${index}.tunnel.test`, null, onStatus);
    if (tunnel.port !== null) this.lastPort = tunnel.port;
    this.tunnels.push(tunnel);
    return tunnel;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.tunnels.map((tunnel) => tunnel.close()));
  }
}

interface HeldOpenControl {
  release(): void;
  reject(error: Error): void;
  onStatus: ((status: TunnelLinkStatus) => void) | undefined;
}

export class FakeTunnel implements Tunnel {
  closed = false;
  /** Link status as last reported. */
  link: TunnelLinkStatus = 'connected';
  /** Requests forwarded to the local address (proxy mode). */
  forwarded = 0;
  private readonly listeners = new Set<(status: TunnelLinkStatus) => void>();

  constructor(
    readonly index: number,
    readonly url: string,
    private readonly server: http.Server | null,
    private readonly onStatus: ((status: TunnelLinkStatus) => void) | undefined,
  ) {}

  get port(): number | null {
    return this.server ? (this.server.address() as AddressInfo).port : null;
  }

  static async proxy(
    index: number,
    localAddr: string,
    port: number,
    onStatus: ((status: TunnelLinkStatus) => void) | undefined,
  ): Promise<FakeTunnel> {
    const target = parseHostPort(localAddr);
    let tunnel: FakeTunnel | null = null;
    const server = http.createServer((req, res) => {
      if (tunnel === null || tunnel.link === 'closed') {
        res.writeHead(404, { 'content-type': 'text/plain', 'ngrok-error-code': 'ERR_NGROK_3200' });
        res.end('The endpoint is offline. ERR_NGROK_3200');
        return;
      }
      tunnel.forwarded += 1;
      const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '', 'x-forwarded-proto': 'http' };
      const upstream = http.request({ ...target, method: req.method, path: req.url, headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('upstream unreachable');
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    tunnel = new FakeTunnel(index, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, onStatus);
    return tunnel;
  }

  /** The link goes down: listeners hear `closed`; a proxy answers 404 until `restore()`. */
  drop(): void {
    this.setLink('closed');
  }

  /** The link is back (as when the SDK reconnects by itself): listeners hear `connected`. */
  restore(): void {
    this.setLink('connected');
  }

  onStatusChange(listener: (status: TunnelLinkStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    if (this.server !== null) {
      const server = this.server;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  private setLink(status: TunnelLinkStatus): void {
    if (this.closed) return;
    this.link = status;
    this.onStatus?.(status);
    for (const listener of [...this.listeners]) listener(status);
  }
}

/** `127.0.0.1:8080`, `[::1]:8080` or `http://host:port` -> request options. */
function parseHostPort(localAddr: string): { hostname: string; port: number } {
  const bare = localAddr.replace(/^http:\/\//i, '').replace(/\/+$/, '');
  const colon = bare.lastIndexOf(':');
  const hostname = bare.slice(0, colon).replace(/^\[|\]$/g, '');
  const port = Number(bare.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port)) throw new TypeError(`localAddr must be host:port, got ${localAddr}`);
  return { hostname, port };
}

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TunnelError, type Tunnel, type TunnelOpenOptions, type TunnelProvider } from '../../../src/core/tunnel/tunnel-provider.js';
import { TunnelSupervisor, type TunnelSupervisorOptions, type TunnelSupervisorStatus } from '../../../src/core/tunnel/tunnel-supervisor.js';
import { FakeTunnelProvider } from './fake-tunnel-provider.js';

const TOKEN = 'ngrok-secret-token-value';
const GRACE = 8_000;
const offline = () => new TunnelError('Cannot reach ngrok — network down?', 'offline', null, true);

beforeEach(() => {
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function supervise(provider: TunnelProvider, options: Partial<TunnelSupervisorOptions> = {}) {
  const supervisor = new TunnelSupervisor({
    provider,
    open: { localAddr: '127.0.0.1:4000', authtoken: TOKEN },
    graceMs: GRACE,
    random: () => 0.5, // jitter factor exactly 1
    ...options,
  });
  const statuses: TunnelSupervisorStatus[] = [];
  const urls: Array<[string, string | null]> = [];
  supervisor.on('status', (status) => statuses.push(status));
  supervisor.on('url', (url, previous) => urls.push([url, previous]));
  return { supervisor, statuses, urls, states: () => statuses.map((s) => s.state) };
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

describe('TunnelSupervisor', () => {
  it('opens the tunnel and reports connecting, online and the URL', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor, urls, states } = supervise(provider, { open: { localAddr: '127.0.0.1:4000', authtoken: TOKEN, domain: 'me.ngrok.app' } });
    await expect(supervisor.start()).resolves.toBe('https://fake-1.tunnel.test');
    expect(states()).toEqual(['connecting', 'online']);
    expect(urls).toEqual([['https://fake-1.tunnel.test', null]]);
    expect(supervisor.url).toBe('https://fake-1.tunnel.test');
    expect(provider.openCalls).toEqual([{ localAddr: '127.0.0.1:4000', authtoken: TOKEN, domain: 'me.ngrok.app' }]);
    await expect(supervisor.start()).rejects.toThrow(/once/);
  });

  it('does not retry a failing first open: it rejects and ends in failed', async () => {
    const provider = new FakeTunnelProvider();
    provider.failNextOpen(new TunnelError('bad token', 'authtoken-invalid', 'ERR_NGROK_107'));
    const { supervisor, statuses } = supervise(provider);
    await expect(supervisor.start()).rejects.toMatchObject({ kind: 'authtoken-invalid' });
    expect(statuses.at(-1)).toEqual({ state: 'failed', message: 'bad token', kind: 'authtoken-invalid', code: 'ERR_NGROK_107' });
    await advance(10 * 60_000);
    expect(provider.openCalls).toHaveLength(1);
  });

  it('leaves a link that comes back within the grace period alone', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor, statuses, urls } = supervise(provider);
    await supervisor.start();
    provider.current!.drop();
    expect(statuses.at(-1)).toEqual({ state: 'reconnecting', attempt: 1, nextRetryAt: Date.now() + GRACE, reason: 'The tunnel connection was lost' });
    await advance(GRACE - 1);
    provider.current!.drop(); // repeated `closed` does not restart the grace period
    provider.current!.restore();
    await advance(10 * GRACE);
    expect(statuses.at(-1)).toEqual({ state: 'online', url: 'https://fake-1.tunnel.test' });
    expect(provider.openCalls).toHaveLength(1);
    expect(urls).toHaveLength(1);
  });

  it('rebuilds a link that stays down past the grace period, reporting the new URL', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor, urls, states } = supervise(provider);
    await supervisor.start();
    const first = provider.current!;
    first.drop();
    await advance(GRACE);
    expect(first.closed).toBe(true);
    expect(provider.openCalls).toHaveLength(2);
    expect(urls).toEqual([
      ['https://fake-1.tunnel.test', null],
      ['https://fake-2.tunnel.test', 'https://fake-1.tunnel.test'],
    ]);
    expect(states()).toEqual(['connecting', 'online', 'reconnecting', 'online']);
    expect(supervisor.url).toBe('https://fake-2.tunnel.test');
    // The new tunnel is watched in turn.
    provider.current!.drop();
    await advance(GRACE);
    expect(provider.openCalls).toHaveLength(3);
  });

  it('emits no url event when the rebuilt tunnel keeps its URL', async () => {
    const provider = new FakeTunnelProvider({ urlFor: () => 'https://stable.ngrok-free.app' });
    const { supervisor, urls } = supervise(provider);
    await supervisor.start();
    provider.current!.drop();
    await advance(GRACE);
    expect(provider.openCalls).toHaveLength(2);
    expect(urls).toHaveLength(1);
  });

  it('retries with capped, doubling backoff while the network is down', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor, statuses } = supervise(provider);
    await supervisor.start();
    provider.failNextOpen(offline(), Infinity);
    provider.current!.drop();
    await advance(GRACE);
    const delays: number[] = [];
    for (let i = 0; i < 9; i += 1) {
      const status = statuses.at(-1)!;
      expect(status.state).toBe('reconnecting');
      if (status.state !== 'reconnecting') return;
      expect(status.attempt).toBe(i + 2);
      expect(status.reason).toMatch(/network down/);
      delays.push(status.nextRetryAt - Date.now());
      await advance(status.nextRetryAt - Date.now());
    }
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    provider.clearFailures();
    await advance(60_000);
    expect(supervisor.status).toEqual({ state: 'online', url: `https://fake-${provider.openCalls.length}.tunnel.test` });
  });

  it('keeps jittered delays within the cap', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor, statuses } = supervise(provider, { random: () => 0.999 });
    await supervisor.start();
    provider.failNextOpen(offline(), Infinity);
    provider.current!.drop();
    await advance(GRACE);
    for (let i = 0; i < 10; i += 1) {
      const status = statuses.at(-1)!;
      if (status.state !== 'reconnecting') throw new Error('expected reconnecting');
      expect(status.nextRetryAt - Date.now()).toBeLessThanOrEqual(60_000);
      await advance(status.nextRetryAt - Date.now());
    }
    await supervisor.stop();
  });

  it('gives up on errors that need the user', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor, statuses } = supervise(provider);
    await supervisor.start();
    provider.failNextOpen(new TunnelError('The ngrok authtoken was reset', 'authtoken-invalid', 'ERR_NGROK_107'));
    provider.current!.drop();
    await advance(GRACE);
    expect(statuses.at(-1)).toMatchObject({ state: 'failed', kind: 'authtoken-invalid' });
    await advance(10 * 60_000);
    expect(provider.openCalls).toHaveLength(2);
    expect(provider.openTunnels).toHaveLength(0);
  });

  it('stops cleanly during the grace period', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor, states } = supervise(provider);
    await supervisor.start();
    provider.current!.drop();
    await supervisor.stop();
    await advance(10 * GRACE);
    expect(provider.openCalls).toHaveLength(1);
    expect(provider.openTunnels).toHaveLength(0);
    expect(states().at(-1)).toBe('stopped');
    await supervisor.stop(); // idempotent
  });

  it('stops cleanly while a rebuild is opening: the late tunnel is closed', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor, states } = supervise(provider);
    await supervisor.start();
    const held = provider.holdNextOpen();
    provider.current!.drop();
    await advance(GRACE);
    expect(provider.openCalls).toHaveLength(2);
    const stopping = supervisor.stop();
    held.release();
    await stopping;
    expect(provider.tunnels).toHaveLength(2);
    expect(provider.openTunnels).toHaveLength(0);
    expect(states().at(-1)).toBe('stopped');
  });

  it('cancels start() when stopped while opening', async () => {
    const provider = new FakeTunnelProvider();
    const held = provider.holdNextOpen();
    const { supervisor, states } = supervise(provider);
    const starting = supervisor.start();
    const outcome = starting.catch((error: unknown) => error);
    const stopping = supervisor.stop();
    held.release();
    await stopping;
    expect(await outcome).toMatchObject({ kind: 'cancelled' });
    expect(provider.openTunnels).toHaveLength(0);
    expect(states()).toEqual(['connecting', 'stopped']);
  });

  it('times out an open that hangs, retries, and closes the tunnel if it arrives late', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor, statuses } = supervise(provider, { openTimeoutMs: 20_000 });
    await supervisor.start();
    const held = provider.holdNextOpen();
    provider.current!.drop();
    await advance(GRACE + 20_000);
    expect(statuses.at(-1)).toMatchObject({ state: 'reconnecting', attempt: 2, reason: 'The tunnel did not open within 20 s' });
    held.release();
    await advance(0);
    expect(provider.tunnels[1]!.closed).toBe(true);
    await advance(1_000);
    expect(supervisor.status).toEqual({ state: 'online', url: 'https://fake-3.tunnel.test' });
    expect(provider.openTunnels.map((t) => t.index)).toEqual([3]);
  });

  it('does not wait forever for a dead tunnel to close, and ignores its late status', async () => {
    const provider = new FakeTunnelProvider();
    let hungTunnel: Tunnel | null = null;
    const hanging: TunnelProvider = {
      name: 'hanging',
      open: async (options: TunnelOpenOptions) => {
        const tunnel = await provider.open(options);
        if (hungTunnel !== null) return tunnel;
        hungTunnel = tunnel;
        return { url: tunnel.url, onStatusChange: (l) => tunnel.onStatusChange(l), close: () => new Promise<void>(() => undefined) };
      },
    };
    const { supervisor, statuses } = supervise(hanging, { closeTimeoutMs: 5_000 });
    await supervisor.start();
    const first = provider.tunnels[0]!;
    first.drop();
    await advance(GRACE + 5_000);
    expect(statuses.at(-1)).toEqual({ state: 'online', url: 'https://fake-2.tunnel.test' });
    first.restore(); // the superseded session coming back must not disturb anything
    first.drop();
    await advance(10 * GRACE);
    expect(supervisor.status).toEqual({ state: 'online', url: 'https://fake-2.tunnel.test' });
    expect(provider.openCalls).toHaveLength(2);
  });

  it('notices a link that closed while the tunnel was still opening', async () => {
    const provider = new FakeTunnelProvider();
    const held = provider.holdNextOpen();
    const { supervisor, states } = supervise(provider);
    const starting = supervisor.start();
    held.emitStatus('closed');
    held.release();
    await starting;
    expect(states()).toEqual(['connecting', 'online', 'reconnecting']);
    await advance(GRACE);
    expect(provider.openCalls).toHaveLength(2);
  });

  it('redacts the authtoken from errors that are not TunnelErrors', async () => {
    const provider = new FakeTunnelProvider();
    provider.failNextOpen(new Error(`boom with ${TOKEN}`));
    const { supervisor } = supervise(provider);
    const failure = await supervisor.start().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TunnelError);
    expect((failure as Error).message).toBe('The tunnel failed: boom with ***');
  });

  it('survives a listener that throws', async () => {
    const provider = new FakeTunnelProvider();
    const { supervisor } = supervise(provider);
    supervisor.on('status', () => {
      throw new Error('listener bug');
    });
    const unsubscribe = supervisor.on('url', () => {
      throw new Error('listener bug');
    });
    await expect(supervisor.start()).resolves.toBe('https://fake-1.tunnel.test');
    unsubscribe();
    expect(supervisor.status.state).toBe('online');
  });
});

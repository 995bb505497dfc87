import net from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  normalizeLocalAddr,
  normalizeNgrokDomain,
  NgrokTunnelProvider,
  type NgrokForwardConfig,
  type NgrokListenerLike,
} from '../../../src/core/tunnel/ngrok-tunnel.js';
import { TunnelError, type TunnelLinkStatus } from '../../../src/core/tunnel/tunnel-provider.js';

const TOKEN = '2Zx9FAKEtokenVALUE_4bQpL7mN3kR8sT1uV';

/** Records forward() configs and hands back controllable listeners, like the SDK without its network. */
function fakeForward(url: string | null = 'https://abc123.ngrok-free.app') {
  const configs: NgrokForwardConfig[] = [];
  const listeners: Array<NgrokListenerLike & { closed: number }> = [];
  const forward = async (config: NgrokForwardConfig) => {
    configs.push(config);
    const listener = {
      closed: 0,
      url: () => url,
      close: async () => {
        listener.closed += 1;
      },
    };
    listeners.push(listener);
    return listener;
  };
  return { forward, configs, listeners };
}

describe('NgrokTunnelProvider', () => {
  it('forwards to the local address with the authtoken, a bare domain and a fresh session', async () => {
    const sdk = fakeForward();
    const provider = new NgrokTunnelProvider({ forward: sdk.forward });
    const tunnel = await provider.open({ localAddr: 'http://127.0.0.1:4321/', authtoken: ` ${TOKEN} `, domain: 'https://Me.ngrok-free.app/' });
    expect(tunnel.url).toBe('https://abc123.ngrok-free.app');
    expect(sdk.configs[0]).toMatchObject({
      addr: '127.0.0.1:4321',
      authtoken: TOKEN,
      domain: 'me.ngrok-free.app',
      force_new_session: true,
      session_metadata: 'flowscope',
    });
    expect(sdk.configs[0]).not.toHaveProperty('server_addr');
  });

  it('omits the domain when none is given', async () => {
    const sdk = fakeForward();
    await new NgrokTunnelProvider({ forward: sdk.forward }).open({ localAddr: '127.0.0.1:1', authtoken: TOKEN, domain: '  ' });
    expect(sdk.configs[0]).not.toHaveProperty('domain');
  });

  it('refuses to open without an authtoken, before touching the SDK', async () => {
    const sdk = fakeForward();
    const failure = await new NgrokTunnelProvider({ forward: sdk.forward }).open({ localAddr: '127.0.0.1:1' }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TunnelError);
    expect(failure).toMatchObject({ kind: 'authtoken-missing', retryable: false });
    expect((failure as Error).message).toContain('https://dashboard.ngrok.com/get-started/your-authtoken');
    expect(sdk.configs).toHaveLength(0);
  });

  it('relays link status to onStatus and subscribers until closed, and closes once', async () => {
    const sdk = fakeForward();
    const seen: string[] = [];
    const tunnel = await new NgrokTunnelProvider({ forward: sdk.forward }).open({
      localAddr: '127.0.0.1:1',
      authtoken: TOKEN,
      onStatus: (status) => seen.push(`option:${status}`),
    });
    const unsubscribe = tunnel.onStatusChange((status: TunnelLinkStatus) => seen.push(`listener:${status}`));
    tunnel.onStatusChange(() => {
      throw new Error('a buggy listener');
    });
    const emit = sdk.configs[0]!.onStatusChange;
    emit('closed');
    emit('something-else');
    unsubscribe();
    emit('connected');
    await tunnel.close();
    await tunnel.close();
    emit('closed');
    expect(seen).toEqual(['option:closed', 'listener:closed', 'option:connected']);
    expect(sdk.listeners[0]!.closed).toBe(1);
  });

  it('maps SDK failures and silences the failed session’s status callback', async () => {
    const seen: string[] = [];
    let config: NgrokForwardConfig | undefined;
    const provider = new NgrokTunnelProvider({
      forward: async (c) => {
        config = c;
        const message = `failed to connect session: authentication failed: Your authtoken: ${TOKEN}\n\nERR_NGROK_107\n, error_code: ERR_NGROK_107`;
        throw Object.assign(new Error(message), { code: 'GenericFailure', errorCode: 'ERR_NGROK_107' });
      },
    });
    const failure = await provider.open({ localAddr: '127.0.0.1:1', authtoken: TOKEN, onStatus: (s) => seen.push(s) }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ kind: 'authtoken-invalid', code: 'ERR_NGROK_107' });
    expect(JSON.stringify(failure) + String(failure)).not.toContain(TOKEN);
    config?.onStatusChange('closed');
    expect(seen).toEqual([]);
  });

  it('closes a listener that reports no URL', async () => {
    const sdk = fakeForward(null);
    await expect(new NgrokTunnelProvider({ forward: sdk.forward }).open({ localAddr: '127.0.0.1:1', authtoken: TOKEN })).rejects.toThrow(/no public URL/);
    expect(sdk.listeners[0]!.closed).toBe(1);
  });

  it('with the real SDK and an unreachable ngrok server, fails with the offline message', async (context) => {
    const port = await closedLoopbackPort();
    const provider = new NgrokTunnelProvider({ serverAddr: `127.0.0.1:${port}` });
    const outcome = await Promise.race([
      provider.open({ localAddr: '127.0.0.1:9', authtoken: TOKEN }).then(
        () => 'opened' as const,
        (error: unknown) => error,
      ),
      new Promise<'slow'>((resolve) => setTimeout(() => resolve('slow'), 5_000).unref()),
    ]);
    if (outcome === 'slow') return context.skip('the SDK did not fail within 5 s here');
    expect(outcome).toBeInstanceOf(TunnelError);
    expect(outcome).toMatchObject({ kind: 'offline', code: null, retryable: true });
    expect(String(outcome)).not.toContain(TOKEN);
  });
});

describe('normalizeNgrokDomain / normalizeLocalAddr', () => {
  it('strips scheme, path and trailing dot, lower-cases, and treats blank as none', () => {
    expect(normalizeNgrokDomain('https://Me.Ngrok-Free.App/path?q#f')).toBe('me.ngrok-free.app');
    expect(normalizeNgrokDomain('monitor.example.com.')).toBe('monitor.example.com');
    expect(normalizeNgrokDomain(undefined)).toBeUndefined();
    expect(normalizeNgrokDomain('')).toBeUndefined();
  });

  it.each(['me.ngrok.app:443', 'not a host', 'localhost', '-bad.example.com', 'a..b.com'])('rejects %s', (domain) => {
    expect(() => normalizeNgrokDomain(domain)).toThrow(TunnelError);
  });

  it('turns a receiver URL into host:port', () => {
    expect(normalizeLocalAddr('http://127.0.0.1:8080/')).toBe('127.0.0.1:8080');
    expect(normalizeLocalAddr('localhost:8080')).toBe('localhost:8080');
  });
});

async function closedLoopbackPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

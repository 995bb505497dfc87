import { describe, expect, it } from 'vitest';
import { publicUrlFromEnv, StaticUrlProvider } from '../../../src/core/tunnel/tunnel-provider.js';

describe('StaticUrlProvider', () => {
  it('returns the given URL without opening anything', async () => {
    const provider = new StaticUrlProvider(' https://monitor.example.com/flowscope/ ');
    const tunnel = await provider.open({ localAddr: '127.0.0.1:1' });
    expect(provider.name).toBe('static');
    expect(tunnel.url).toBe('https://monitor.example.com/flowscope');
    const unsubscribe = tunnel.onStatusChange(() => {
      throw new Error('never called');
    });
    unsubscribe();
    await tunnel.close();
    await tunnel.close();
  });

  it('keeps user:pass@ (the Basic-auth guard) in the URL it registers', async () => {
    const tunnel = await new StaticUrlProvider('https://u:secretpw@x.example.com').open({ localAddr: '127.0.0.1:1' });
    expect(tunnel.url).toBe('https://u:secretpw@x.example.com');
  });

  it.each(['not a url', 'ftp://x.example.com', '/relative'])('refuses %s without echoing it', (url) => {
    expect(() => new StaticUrlProvider(url)).toThrow(TypeError);
    try {
      new StaticUrlProvider(url);
    } catch (error) {
      expect((error as Error).message).not.toContain(url);
    }
  });
});

describe('publicUrlFromEnv', () => {
  it('reads FLOWSCOPE_PUBLIC_URL, treating blank as unset', () => {
    expect(publicUrlFromEnv({ FLOWSCOPE_PUBLIC_URL: ' https://x.test ' })).toBe('https://x.test');
    expect(publicUrlFromEnv({ FLOWSCOPE_PUBLIC_URL: '  ' })).toBeNull();
    expect(publicUrlFromEnv({})).toBeNull();
  });
});

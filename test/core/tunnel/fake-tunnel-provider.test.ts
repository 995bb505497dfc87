import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeTunnelProvider } from './fake-tunnel-provider.js';

/** A stand-in for the receiver: echoes method, path, Host and body. */
let upstream: http.Server;
let localAddr: string;

beforeEach(async () => {
  upstream = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, host: req.headers.host, body }));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  localAddr = `127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});
afterEach(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

async function post(url: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: response.status, text: await response.text() };
}

describe('FakeTunnelProvider in proxy mode', () => {
  it('forwards real HTTP to the local address, keeping path, query and the public Host', async () => {
    const provider = new FakeTunnelProvider({ mode: 'proxy' });
    const tunnel = await provider.open({ localAddr });
    expect(tunnel.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await post(`${tunnel.url}/events?bodySHA256=abc`, '[{"x":1}]');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text)).toEqual({ method: 'POST', url: '/events?bodySHA256=abc', host: new URL(tunnel.url).host, body: '[{"x":1}]' });
    expect(provider.current?.forwarded).toBe(1);
    await provider.closeAll();
  });

  it('answers like ngrok’s offline page while dropped, and forwards again once restored', async () => {
    const provider = new FakeTunnelProvider({ mode: 'proxy' });
    const seen: string[] = [];
    const tunnel = await provider.open({ localAddr, onStatus: (status) => seen.push(status) });
    provider.current!.drop();
    expect((await post(`${tunnel.url}/events`, '[]')).status).toBe(404);
    provider.current!.restore();
    expect((await post(`${tunnel.url}/events`, '[]')).status).toBe(200);
    expect(seen).toEqual(['closed', 'connected']);
    await tunnel.close();
    await expect(post(`${tunnel.url}/events`, '[]')).rejects.toThrow();
  });

  it('gets a new URL on reopen, or the same one with keepPort', async () => {
    const changing = new FakeTunnelProvider({ mode: 'proxy' });
    const a = await changing.open({ localAddr });
    await a.close();
    const b = await changing.open({ localAddr });
    expect(b.url).not.toBe(a.url);
    await b.close();

    const stable = new FakeTunnelProvider({ mode: 'proxy', keepPort: true });
    const c = await stable.open({ localAddr });
    await c.close();
    const d = await stable.open({ localAddr });
    expect(d.url).toBe(c.url);
    await d.close();
  });
});

describe('FakeTunnelProvider controls', () => {
  it('fails the next opens as told, then succeeds', async () => {
    const provider = new FakeTunnelProvider();
    provider.failNextOpen(new Error('nope'), 2);
    await expect(provider.open({ localAddr })).rejects.toThrow('nope');
    await expect(provider.open({ localAddr })).rejects.toThrow('nope');
    await expect(provider.open({ localAddr })).resolves.toMatchObject({ url: 'https://fake-3.tunnel.test' });
    expect(provider.openCalls).toHaveLength(3);
  });

  it('holds an open until released or rejected', async () => {
    const provider = new FakeTunnelProvider();
    const first = provider.holdNextOpen();
    const second = provider.holdNextOpen();
    const opening = provider.open({ localAddr });
    const failing = provider.open({ localAddr }).catch((error: unknown) => error);
    second.reject(new Error('held and rejected'));
    expect(await failing).toMatchObject({ message: 'held and rejected' });
    first.release();
    await expect(opening).resolves.toMatchObject({ url: 'https://fake-1.tunnel.test' });
  });
});

import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startUiServer, UI_CONTENT_SECURITY_POLICY, UI_NOT_BUILT_MESSAGE, type UiServer } from '../../src/server/ui-server.js';
import { createFakeContractHost } from '../main/fake-contract-host.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP so the test controls the Host header and the exact request path. */
function get(port: number, path: string, options: { host?: string; method?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

let dir: string;
let rendererDir: string;
const servers: UiServer[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'flowscope-ui-'));
  rendererDir = join(dir, 'renderer');
  await mkdir(join(rendererDir, 'assets'), { recursive: true });
  await mkdir(join(rendererDir, '.vite'));
  await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>Flowscope</title>');
  await writeFile(join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
  await writeFile(join(rendererDir, '.vite', 'manifest.json'), '{}');
  await writeFile(join(dir, 'secret.txt'), 'outside');
  await symlink(join(dir, 'secret.txt'), join(rendererDir, 'assets', 'link.txt'));
});

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(options: { rendererDir?: string; token?: string } = {}): Promise<UiServer> {
  const server = await startUiServer({ host: createFakeContractHost(), port: 0, rendererDir, ...options });
  servers.push(server);
  return server;
}

describe('startUiServer: static files', () => {
  it('serves index.html at / with the security headers', async () => {
    const server = await start();
    const answer = await get(server.port, '/');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<title>Flowscope</title>');
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.headers['content-security-policy']).toBe(`${UI_CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(answer.headers['x-frame-options']).toBe('DENY');
  });

  it('serves assets with their content type, also for HEAD and for localhost', async () => {
    const server = await start();
    const asset = await get(server.port, '/assets/index-abc.js', { host: `localhost:${server.port}` });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.body).toBe('console.log(1)');
    const head = await get(server.port, '/index.html', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('refuses a foreign Host header (DNS rebinding) with the headers still set', async () => {
    const server = await start();
    for (const host of [`rebind.example:${server.port}`, '127.0.0.1', `127.0.0.1:${server.port + 1}`]) {
      const answer = await get(server.port, '/', { host });
      expect(answer.status).toBe(403);
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('never serves files outside the renderer dir, dotfiles or other methods', async () => {
    const server = await start();
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/assets/link.txt', '/.vite/manifest.json', '/%00', '/nope.js']) {
      const answer = await get(server.port, path);
      expect([400, 404]).toContain(answer.status);
      expect(answer.body).not.toContain('outside');
    }
    expect((await get(server.port, '/', { method: 'POST' })).status).toBe(405);
  });

  it('says plainly when the UI is not built', async () => {
    const server = await start({ rendererDir: join(dir, 'missing') });
    const answer = await get(server.port, '/');
    expect(answer.status).toBe(503);
    expect(answer.body.trim()).toBe(UI_NOT_BUILT_MESSAGE);
  });
});

describe('startUiServer: token and WebSocket', () => {
  it('puts a random base64url token in the URL', async () => {
    const a = await start();
    const b = await start();
    const tokenA = new URL(a.url).searchParams.get('token');
    expect(a.url).toBe(`http://127.0.0.1:${a.port}/?token=${tokenA}`);
    expect(tokenA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(tokenA).not.toBe(new URL(b.url).searchParams.get('token'));
  });

  it('bridges the page URL token to a working WebSocket, for its own origins only', async () => {
    const server = await start({ token: 'given-token' });
    const token = new URL(server.url).searchParams.get('token');
    expect(token).toBe('given-token');
    const wsUrl = `ws://127.0.0.1:${server.port}/ws?token=${token}`;

    for (const origin of [`http://127.0.0.1:${server.port}`, `http://localhost:${server.port}`]) {
      const ws = new WebSocket(wsUrl, { origin });
      await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
      const answer = new Promise((resolve) => ws.once('message', (data) => resolve(JSON.parse(String(data)))));
      ws.send(JSON.stringify({ kind: 'request', id: 5, command: 'echo', params: { x: 1 } }));
      expect(await answer).toEqual({ kind: 'response', id: 5, ok: true, result: { command: 'echo', params: { x: 1 } } });
      ws.terminate();
    }

    const refused = async (url: string, options: { origin?: string; headers?: Record<string, string> }) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(url, options);
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => reject(new Error('opened')));
        ws.on('error', () => undefined);
      });
    expect(await refused(`ws://127.0.0.1:${server.port}/ws?token=nope`, {})).toBe(401);
    expect(await refused(wsUrl, { origin: 'https://evil.example' })).toBe(403);
    expect(await refused(wsUrl, { headers: { host: `rebind.example:${server.port}` } })).toBe(403);
  });
});

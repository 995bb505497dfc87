/**
 * The headless UI server: the built renderer (static files) plus the WebSocket bridge, on a port
 * of its own, bound to 127.0.0.1 by default. Never the receiver's port, never tunneled.
 *
 * Security assumptions (localhost API rules in the style of httptoolkit):
 * - the Host header must name this server (127.0.0.1, localhost or [::1] at its port, plus any
 *   `allowedHosts`): a DNS-rebinding page that resolves its own name to 127.0.0.1 is refused
 *   (403) before anything is served;
 * - static files hold no data, so they are served without the token; everything data-bearing
 *   (the WebSocket) needs the token, which travels in the page URL (`?token=`) and never in a
 *   Referer (Referrer-Policy: no-referrer). The token is random (32 bytes) unless given;
 * - GET /export (export-download.ts) streams the export document as a download, behind the same
 *   token (`?token=`, constant time); close() waits for running exports to settle, so the store
 *   can be closed right after;
 * - only GET/HEAD, only files inside `rendererDir` (no traversal, no dotfiles, no symlinks out);
 * - every response carries the production CSP (identical to the Electron build's <meta> tag, see
 *   src/shared/content-security-policy.ts), nosniff, no-referrer and frame denial.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import type { ContractHost } from '../core/contract-host.js';
import { EXPORT_DOWNLOAD_PATH, serveExportDownload, type ExportTo } from './export-download.js';
import { attachWebSocketBridge } from './ws-bridge.js';
import { PRODUCTION_CSP } from '../shared/content-security-policy.js';

/** The renderer's production policy (its <meta> tag); frame-ancestors works only as a header. */
export const UI_CONTENT_SECURITY_POLICY = PRODUCTION_CSP;

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': `${UI_CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
};

export const UI_NOT_BUILT_MESSAGE = 'UI not built: run npm run build';

export interface UiServerOptions {
  host: ContractHost;
  /** 0 picks a free port. */
  port: number;
  /** Default 127.0.0.1. */
  bindHost?: string;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Session token for the WebSocket; default 32 random bytes, base64url. */
  token?: string;
  /** Extra host names (no port) the Host header may carry, e.g. a server's DNS name. */
  allowedHosts?: readonly string[];
  /**
   * Streams an export document to `out` (serve: `writeExport(monitor.store, filter, out)`);
   * without it, GET /export answers 404.
   */
  exportTo?: ExportTo;
  /** See ExportDownloadOptions.stallTimeoutMs. */
  exportStallTimeoutMs?: number;
  onError?: (error: unknown) => void;
}

export interface UiServer {
  /** The page URL, with `?token=`: whoever has it can use the monitor. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const bindHost = options.bindHost ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('base64url');
  const rendererDir = resolve(options.rendererDir);
  const hostNames = new Set(['127.0.0.1', 'localhost', '[::1]', ...(options.allowedHosts ?? [])].map((h) => h.toLowerCase()));
  let port = 0; // known once listening; every check below runs after that
  const isAllowedHost = (header: string | undefined): boolean => {
    if (header === undefined) return false;
    return [...hostNames].some((name) => header.toLowerCase() === `${name}:${port}`);
  };

  const runningExports = new Set<Promise<void>>();
  const handleFailure = (response: ServerResponse) => (error: unknown) => {
    options.onError?.(error);
    if (!response.headersSent) sendText(response, 500, 'Internal Server Error');
    else response.destroy();
  };

  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    if (!isAllowedHost(request.headers.host)) return sendText(response, 403, 'Forbidden: unexpected Host header');
    const url = parseRequestUrl(request.url);
    if (url?.pathname === EXPORT_DOWNLOAD_PATH) {
      const running = serveExportDownload(request, response, url, {
        token,
        exportTo: options.exportTo,
        ...(options.exportStallTimeoutMs !== undefined ? { stallTimeoutMs: options.exportStallTimeoutMs } : {}),
        ...(options.onError ? { onError: options.onError } : {}),
      })
        .catch(handleFailure(response))
        .finally(() => runningExports.delete(running));
      runningExports.add(running);
      return;
    }
    serveStatic(rendererDir, request, response).catch(handleFailure(response));
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  const bridge = attachWebSocketBridge({
    server,
    host: options.host,
    token,
    path: '/ws',
    isAllowedHost,
    allowedOrigins: (origin) => [...hostNames].some((name) => origin.toLowerCase() === `http://${name}:${port}`),
    ...(options.onError ? { onError: options.onError } : {}),
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port, bindHost, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  port = (server.address() as AddressInfo).port;
  const urlHost = bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost.includes(':') ? `[${bindHost}]` : bindHost;

  return {
    url: `http://${urlHost}:${port}/?token=${encodeURIComponent(token)}`,
    port,
    async close() {
      await bridge.close();
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections(); // a download in progress stops at its next write
      });
      await Promise.all([...runningExports]);
    },
  };
}

async function serveStatic(rendererDir: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return sendText(response, 405, 'Method Not Allowed');
  }
  const pathname = safePathname(request.url);
  if (pathname === null) return sendText(response, 400, 'Bad Request');
  const relative = pathname === '/' ? 'index.html' : pathname.slice(1);
  const isIndex = relative === 'index.html';
  const file = await resolveInside(rendererDir, relative);
  if (file === null) {
    if (isIndex) return sendText(response, 503, UI_NOT_BUILT_MESSAGE);
    return sendText(response, 404, 'Not Found');
  }
  response.statusCode = 200;
  response.setHeader('Content-Type', CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream');
  response.setHeader('Content-Length', String(file.stats.size));
  // index.html names the hashed assets of the current build: always revalidate it.
  response.setHeader('Cache-Control', isIndex ? 'no-store' : 'no-cache');
  if (request.method === 'HEAD') return void response.end();
  await new Promise<void>((resolveStream, reject) => {
    const stream = createReadStream(file.path);
    stream.on('error', reject);
    response.on('close', () => {
      stream.destroy();
      resolveStream();
    });
    stream.pipe(response);
  });
}

function parseRequestUrl(rawUrl: string | undefined): URL | null {
  try {
    return new URL(rawUrl ?? '/', 'http://ui.invalid');
  } catch {
    return null;
  }
}

/** The decoded path, or null when it cannot name a file of ours (NUL, backslash, dot segments). */
function safePathname(rawUrl: string | undefined): string | null {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(rawUrl ?? '/', 'http://ui.invalid').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname.split('/').some((segment) => segment.startsWith('.'))) return null;
  return pathname;
}

/** A regular file whose real path is inside `root`, or null. */
async function resolveInside(root: string, relative: string): Promise<{ path: string; stats: Stats } | null> {
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(realRoot, relative));
    if (!real.startsWith(realRoot + sep)) return null;
    const stats = await stat(real);
    return stats.isFile() ? { path: real, stats } : null;
  } catch {
    return null;
  }
}

function sendText(response: ServerResponse, status: number, text: string): void {
  const body = `${text}\n`;
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.setHeader('Content-Length', String(Buffer.byteLength(body)));
  response.setHeader('Cache-Control', 'no-store');
  response.end(body);
}

/**
 * `GET /export?token=…&filter=<ExecutionFilter as JSON>` on the headless UI server: the export
 * document streamed as a file download, so the browser UI can export a store of any size. (The
 * contract's `export.run` builds the document as one string, then the WebSocket copies it again:
 * that hits V8's string limit on a big store, and never lets the event loop turn.)
 *
 * Invariants:
 * - nothing is read from the store before the token matched (constant time) and the filter
 *   passed `executionFilterSchema`; refusals are small JSON bodies `{ "error": … }` (401, 400,
 *   404 when this server has no export, 405) and never echo the request;
 * - the body is written through `exportTo` with backpressure: `exportTo` waits whenever the
 *   response's buffer is full, so a slow client holds about one chunk in memory;
 * - a client that goes away mid-download makes the stream `exportTo` writes to fail: the export
 *   stops at its next write and its promise settles (nothing is left pending);
 * - an export that fails after the first bytes went out aborts the connection, so a truncated
 *   download can never pass for a complete document.
 * Security assumptions: the caller (ui-server.ts) already refused foreign Host headers and set the
 * security headers. The token rides in the query like the WebSocket's; Referrer-Policy:
 * no-referrer keeps it out of Referers. An export holds events, never credentials.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import { exportFileName } from '../core/store/export-writer.js';
import { executionFilterSchema, type ExecutionFilter } from '../shared/contract.js';
import { tokensEqual } from './ws-bridge.js';

export const EXPORT_DOWNLOAD_PATH = '/export';

/** Writes the export document for `filter` to `out` (does not end it); rejects when `out` fails. */
export type ExportTo = (filter: ExecutionFilter, out: NodeJS.WritableStream) => Promise<unknown>;

export interface ExportDownloadOptions {
  /** The UI session token (the page's `?token=`). */
  token: string;
  /** Absent: this server offers no export (404). */
  exportTo: ExportTo | undefined;
  /** Where unexpected failures are reported (local log only). */
  onError?: (error: unknown) => void;
  /** Clock of the file name (tests). */
  now?: () => Date;
  /**
   * A client that stops reading (a paused download) is dropped after this long without progress:
   * the export holds a read snapshot, and an open snapshot keeps the WAL from being reset.
   */
  stallTimeoutMs?: number;
}

/** A minute without the client taking a single chunk. */
export const DEFAULT_STALL_TIMEOUT_MS = 60_000;

/** The client closed the connection before the export was complete. */
export class ExportClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before the export was complete');
    this.name = 'ExportClientGoneError';
  }
}

/** Answers one request for EXPORT_DOWNLOAD_PATH; settles once the export has settled. */
export async function serveExportDownload(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: ExportDownloadOptions,
): Promise<void> {
  if (request.method !== 'GET') {
    response.setHeader('Allow', 'GET');
    return sendJsonError(response, 405, 'method not allowed');
  }
  if (!tokensEqual(url.searchParams.get('token') ?? '', options.token)) return sendJsonError(response, 401, 'unauthorized');
  if (options.exportTo === undefined) return sendJsonError(response, 404, 'export is not available on this server');
  const filter = parseFilterParam(url.searchParams.get('filter'));
  if (!filter.ok) return sendJsonError(response, 400, filter.message);

  response.statusCode = 200;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Disposition', `attachment; filename="${exportFileName(options.now?.() ?? new Date())}"`);
  response.setHeader('Cache-Control', 'no-store');
  const sink = new ResponseSink(response, options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS);
  try {
    await options.exportTo(filter.filter, sink);
  } catch (error) {
    if (sink.clientGone) return; // the user cancelled the download, or the server is closing
    options.onError?.(error);
    if (response.headersSent) return void response.destroy();
    response.removeHeader('Content-Disposition');
    return sendJsonError(response, 500, 'the export failed; see the Flowscope log');
  }
  if (!sink.clientGone) response.end();
}

/** The `filter` query parameter: absent means every execution (`{}`), like export.run's default. */
export function parseFilterParam(raw: string | null): { ok: true; filter: ExecutionFilter } | { ok: false; message: string } {
  if (raw === null) return { ok: true, filter: {} };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'filter is not JSON' };
  }
  const parsed = executionFilterSchema.safeParse(value);
  if (parsed.success) return { ok: true, filter: parsed.data };
  const issue = parsed.error.issues[0];
  const where = ['filter', ...(issue?.path.map(String) ?? [])].join('.');
  return { ok: false, message: `invalid ${where}: ${issue?.message ?? 'invalid'}` };
}

/**
 * The stream handed to `exportTo`: writes go to the response, and each write completes only once
 * the response took it (at once, or on `drain`), so the writer's own backpressure handling waits
 * for the client. When the client goes away the sink is destroyed with ExportClientGoneError:
 * the writer sees `error` and stops instead of waiting for a `drain` that never comes.
 */
class ResponseSink extends Writable {
  clientGone = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly stallTimeoutMs: number,
  ) {
    super({ decodeStrings: false });
    // the writer reports the failure through its promise; without a listener, `error` would throw
    this.on('error', () => undefined);
    response.once('close', () => {
      if (response.writableFinished) return;
      this.clientGone = true;
      this.destroy(new ExportClientGoneError());
    });
  }

  override _write(chunk: string | Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const { response } = this;
    if (this.clientGone || response.destroyed) return callback(new ExportClientGoneError());
    const accepted = typeof chunk === 'string' ? response.write(chunk, encoding) : response.write(chunk);
    if (accepted) return callback();
    // a client that never takes the chunk is dropped, which ends the wait through `close`
    const stalled = setTimeout(() => response.destroy(), this.stallTimeoutMs);
    stalled.unref();
    const onDrain = () => {
      clearTimeout(stalled);
      response.off('close', onClose);
      callback();
    };
    const onClose = () => {
      clearTimeout(stalled);
      response.off('drain', onDrain);
      callback(new ExportClientGoneError());
    };
    response.once('drain', onDrain);
    response.once('close', onClose);
  }
}

function sendJsonError(response: ServerResponse, status: number, message: string): void {
  const body = `${JSON.stringify({ error: message })}\n`;
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', String(Buffer.byteLength(body)));
  response.setHeader('Cache-Control', 'no-store');
  response.end(body);
}

/**
 * GET /export on the headless UI server: a real EventStore in a temp dir, the real UI server on
 * port 0, raw HTTP (the test controls the Host header and reads or abandons the body at will).
 */
import fs from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../src/core/store/event-store.js';
import { exportToString, writeExport } from '../../src/core/store/export-writer.js';
import { ExportClientGoneError, type ExportTo } from '../../src/server/export-download.js';
import { startUiServer, UI_CONTENT_SECURITY_POLICY, type UiServer } from '../../src/server/ui-server.js';
import type { ExecutionFilter } from '../../src/shared/contract.js';
import { exportDocumentSchema } from '../../src/shared/export-format.js';
import { createFakeContractHost } from '../main/fake-contract-host.js';
import { at, executionScenario, parseAll, sid, sinkTestEvent } from '../shared/studio-fixtures.js';

const TOKEN = 'export-test-token_0123456789abcdefghijklmnopqrstuvwxyz';
const BIG_EXECUTIONS = 2_000;
const BIG_STEPS = 8; // + started + ended = 10 events each: 20,000 events

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

const dirs: string[] = [];
const servers: UiServer[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowscope-export-download-'));
  dirs.push(dir);
  return dir;
}

/** Executions of two flows (even: flow 0, odd: flow 1), each with its steps, plus a sink test event. */
async function seed(store: EventStore, executions: number, steps: number): Promise<void> {
  const events = Array.from({ length: executions }, (_, i) =>
    executionScenario({
      executionSid: sid('FN', 1 + i),
      flowSid: sid('FW', i % 2),
      start: at(i * 1_000),
      steps: Array.from({ length: steps }, (_, s) => ({ from: s === 0 ? 'Trigger' : `w${s - 1}`, to: `w${s}`, name: 'next', atMs: 10 * (s + 1) })),
      ended: { atMs: 10 * (steps + 1) },
    }).events,
  ).flat();
  await store.append({ accepted: parseAll([...events, sinkTestEvent('t')]), rejected: [], receivedAt: new Date(at(0)) });
}

interface StartedExport {
  filter: ExecutionFilter;
  out: Writable;
  done: Promise<unknown>;
}

/** Exports as serve wires them (writeExport on the store); `started` keeps each one's promise. */
function exportingFrom(store: EventStore): { exportTo: ExportTo; started: StartedExport[] } {
  const started: StartedExport[] = [];
  const exportTo: ExportTo = (filter, out) => {
    if (!(out instanceof Writable)) throw new Error('the server hands exportTo a stream.Writable');
    const done = writeExport(store, filter, out);
    started.push({ filter, out, done });
    return done;
  };
  return { exportTo, started };
}

/** True while the export waits for the client: a chunk is handed over but not yet taken. */
const waitsForClient = (started: StartedExport[]) => (started[0]?.out.writableLength ?? 0) > 0;

async function startServer(exportTo: ExportTo | undefined, exportStallTimeoutMs?: number): Promise<UiServer> {
  const rendererDir = tempDir();
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>Flowscope</title>');
  const server = await startUiServer({
    host: createFakeContractHost(),
    port: 0,
    rendererDir,
    token: TOKEN,
    ...(exportTo ? { exportTo } : {}),
    ...(exportStallTimeoutMs !== undefined ? { exportStallTimeoutMs } : {}),
  });
  servers.push(server);
  return server;
}

function exportPath(query: { token?: string; filter?: string }): string {
  const params = new URLSearchParams();
  if (query.token !== undefined) params.set('token', query.token);
  if (query.filter !== undefined) params.set('filter', query.filter);
  return `/export?${params.toString()}`;
}

function get(port: number, urlPath: string, options: { host?: string; method?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: urlPath, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Counts turns of the event loop (setImmediate callbacks) until stopped. */
function countLoopTurns(): () => number {
  let turns = 0;
  let running = true;
  const turn = () => {
    if (!running) return;
    turns += 1;
    setImmediate(turn);
  };
  setImmediate(turn);
  return () => {
    running = false;
    return turns;
  };
}

/** Polls (one event-loop turn at a time, bounded) until `condition` holds. */
async function until(condition: () => boolean, what: string, maxTurns = 200_000): Promise<void> {
  for (let i = 0; i < maxTurns; i += 1) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`gave up waiting until ${what}`);
}

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

describe('GET /export', () => {
  let store: EventStore;

  beforeAll(async () => {
    store = EventStore.open(tempDir(), { durability: 'normal' });
    await seed(store, 6, 2);
  });
  afterAll(() => {
    store.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a missing or wrong token with 401, before reading the store', async () => {
    const { exportTo, started } = exportingFrom(store);
    const server = await startServer(exportTo);
    for (const query of [{}, { token: '' }, { token: TOKEN.slice(0, -1) + 'X' }, { token: `${TOKEN}x` }, { token: TOKEN.toUpperCase() }]) {
      const answer = await get(server.port, exportPath({ ...query, filter: '{}' }));
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.body)).toEqual({ error: 'unauthorized' });
      expect(answer.headers['content-disposition']).toBeUndefined();
      expect(answer.body).not.toContain('flowscope.executions');
    }
    expect(started).toEqual([]);
  });

  it('refuses an invalid filter with a 400 JSON error, and a foreign Host with 403', async () => {
    const { exportTo, started } = exportingFrom(store);
    const server = await startServer(exportTo);
    for (const filter of ['{not json', '[]', '{"flowSid":7}', '{"status":["sleeping"]}', '{"unknown":1}', 'null']) {
      const answer = await get(server.port, exportPath({ token: TOKEN, filter }));
      expect(answer.status, filter).toBe(400);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect((JSON.parse(answer.body) as { error: string }).error).toMatch(/filter/);
    }
    const rebinding = await get(server.port, exportPath({ token: TOKEN, filter: '{}' }), { host: `evil.example:${server.port}` });
    expect(rebinding.status).toBe(403);
    const post = await get(server.port, exportPath({ token: TOKEN, filter: '{}' }), { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET');
    expect(started).toEqual([]);
  });

  it('answers 404 when the server was started without an export', async () => {
    const server = await startServer(undefined);
    const answer = await get(server.port, exportPath({ token: TOKEN, filter: '{}' }));
    expect(answer.status).toBe(404);
  });

  it('streams the whole document as an attachment, with the security headers', async () => {
    const { exportTo } = exportingFrom(store);
    const server = await startServer(exportTo);
    const answer = await get(server.port, exportPath({ token: TOKEN, filter: '{}' }));
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['content-disposition']).toMatch(/^attachment; filename="flowscope-executions-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.json"$/);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(answer.headers['transfer-encoding']).toBe('chunked'); // streamed: no Content-Length known up front
    expect(answer.headers['content-security-policy']).toBe(`${UI_CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`);
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    const document = exportDocumentSchema.parse(JSON.parse(answer.body));
    expect(document).toMatchObject({ format: 'flowscope.executions', version: 1, filter: {} });
    expect(document.executions.map((e) => e.summary.executionSid)).toEqual(store.listExecutions({}, 0, 100).items.map((e) => e.executionSid));
    expect(document.executions.every((e) => e.events.length === 4)).toBe(true);
    expect(document.otherEvents).toEqual([sinkTestEvent('t')]);
    // the same document export.run would build, but for the time it was made
    const { text } = await exportToString(store, {}, { now: new Date(document.exportedAt) });
    expect(answer.body).toBe(text);
  });

  it('exports only what the filter selects; no filter parameter means everything', async () => {
    const { exportTo, started } = exportingFrom(store);
    const server = await startServer(exportTo);
    const byFlow = JSON.parse((await get(server.port, exportPath({ token: TOKEN, filter: JSON.stringify({ flowSid: sid('FW', 1) }) }))).body) as unknown;
    const flowDocument = exportDocumentSchema.parse(byFlow);
    expect(flowDocument.filter).toEqual({ flowSid: sid('FW', 1) });
    expect(flowDocument.executions.map((e) => e.summary.executionSid).sort()).toEqual([sid('FN', 2), sid('FN', 4), sid('FN', 6)]);
    expect(flowDocument.otherEvents).toBeUndefined(); // a filtered export is about its executions

    const one = exportDocumentSchema.parse(JSON.parse((await get(server.port, exportPath({ token: TOKEN, filter: JSON.stringify({ executionSids: [sid('FN', 3)] }) }))).body));
    expect(one.executions.map((e) => e.summary.executionSid)).toEqual([sid('FN', 3)]);

    const all = exportDocumentSchema.parse(JSON.parse((await get(server.port, exportPath({ token: TOKEN }))).body));
    expect(all.executions).toHaveLength(6);
    expect(started.map((s) => s.filter)).toEqual([{ flowSid: sid('FW', 1) }, { executionSids: [sid('FN', 3)] }, {}]);
  });
});

describe('GET /export of a large store', () => {
  let store: EventStore;

  beforeAll(async () => {
    store = EventStore.open(tempDir(), { durability: 'normal' });
    await seed(store, BIG_EXECUTIONS, BIG_STEPS);
  });
  afterAll(() => {
    store.close();
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the event loop turning while it streams 20,000 events', async () => {
    expect(store.counts().storedEvents).toBe(BIG_EXECUTIONS * (BIG_STEPS + 2) + 1);
    const { exportTo, started } = exportingFrom(store);
    const server = await startServer(exportTo);
    const stop = countLoopTurns();
    const answer = await get(server.port, exportPath({ token: TOKEN, filter: '{}' }));
    const turns = stop();
    expect(answer.status).toBe(200);
    const document = exportDocumentSchema.parse(JSON.parse(answer.body));
    expect(document.executions).toHaveLength(BIG_EXECUTIONS);
    await expect(started[0]?.done).resolves.toEqual({ executions: BIG_EXECUTIONS, events: BIG_EXECUTIONS * (BIG_STEPS + 2), otherEvents: 1 });
    expect(turns).toBeGreaterThanOrEqual(BIG_EXECUTIONS / 100); // at least one turn per page of 100 executions
  });

  it('yields between pages even to a sink that never pushes back (export.run, in memory)', async () => {
    const stop = countLoopTurns();
    const { counts } = await exportToString(store, {});
    const turns = stop();
    expect(counts.executions).toBe(BIG_EXECUTIONS);
    expect(turns).toBeGreaterThanOrEqual(BIG_EXECUTIONS / 100);
  });

  it('stops the export when the client goes away mid-download: its promise settles, the server carries on', async () => {
    const { exportTo, started } = exportingFrom(store);
    const server = await startServer(exportTo);
    let received = 0;
    const req = request({ host: '127.0.0.1', port: server.port, path: exportPath({ token: TOKEN, filter: '{}' }) }, (res) => {
      res.once('data', (chunk: Buffer) => {
        received += chunk.length;
        res.pause(); // a user who stopped reading: the socket buffers fill, the export waits
      });
    });
    req.on('error', () => undefined); // destroyed below
    req.end();
    // mid-stream: the server holds a write it cannot hand to the socket yet
    await until(() => received > 0 && waitsForClient(started), 'the export waits for the client');
    req.destroy();
    await expect(started[0]?.done).rejects.toBeInstanceOf(ExportClientGoneError);
    const after = await get(server.port, '/');
    expect(after.status).toBe(200);
  });

  it('drops a client that stops reading but keeps the connection open, releasing the export', async () => {
    const { exportTo, started } = exportingFrom(store);
    const server = await startServer(exportTo, 50);
    const req = request({ host: '127.0.0.1', port: server.port, path: exportPath({ token: TOKEN, filter: '{}' }) }, (res) => {
      res.pause(); // a paused download: never reads, never disconnects
    });
    req.on('error', () => undefined); // the server drops the connection
    req.end();
    await until(() => waitsForClient(started), 'the export waits for the client');
    // the server dropped the stalled client: the export ended (its snapshot with it)
    await expect(started[0]?.done).rejects.toBeInstanceOf(ExportClientGoneError);
    req.destroy();
  });

  it('close() ends a download in progress and waits for its export to settle', async () => {
    const { exportTo, started } = exportingFrom(store);
    const server = await startServer(exportTo);
    const req = request({ host: '127.0.0.1', port: server.port, path: exportPath({ token: TOKEN, filter: '{}' }) }, (res) => res.pause());
    req.on('error', () => undefined); // the server closes the connection
    req.end();
    await until(() => waitsForClient(started), 'the export waits for the client');
    let settled = false;
    void started[0]?.done.then(
      () => (settled = true),
      () => (settled = true),
    );
    await server.close();
    servers.splice(servers.indexOf(server), 1);
    await Promise.resolve();
    expect(settled).toBe(true);
    await expect(started[0]?.done).rejects.toBeInstanceOf(ExportClientGoneError);
  });
});

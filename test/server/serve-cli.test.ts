import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { EventStore } from '../../src/core/store/event-store.js';
import { ivrScenario, messagingScenario } from '../shared/studio-fixtures.js';
import { useTempDir } from '../support/temp-dir.js';
import { runTs, startServe, type ServeProcess } from '../support/serve-process.js';

const tempDir = useTempDir();
const running: ServeProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

function runToEnd(entry: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const child = runTs(entry, args);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

describe('serve, export and import from the command line', () => {
  it('serves, prints the webhook URL, stops cleanly on SIGTERM; export and import round-trip', async () => {
    const dataDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir, '--no-ui']);
    running.push(serve);
    expect(serve.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/events$/);
    const events = [...ivrScenario().events, ...messagingScenario().events];
    const response = await fetch(serve.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
    expect(response.status).toBe(200);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);

    const file = path.join(tempDir(), 'out.json');
    const exported = await runToEnd('src/server/export-cli.ts', ['--data-dir', dataDir, '--out', file]);
    expect(exported.code).toBe(0);
    expect(exported.out).toContain('exported 2 executions');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { format: string; executions: Array<{ summary: { status: string } }> };
    expect(doc.format).toBe('flowscope.executions');
    expect(doc.executions.map((e) => e.summary.status).sort()).toEqual(['active', 'ended']);

    const otherDir = tempDir();
    const imported = await runToEnd('src/server/import-cli.ts', ['--data-dir', otherDir, file]);
    expect(imported.code).toBe(0);
    expect(imported.out).toContain(`imported 2 executions: ${events.length} new events`);
    const store = EventStore.open(otherDir);
    try {
      expect(store.counts()).toEqual({ storedEvents: events.length, executions: 2 });
    } finally {
      store.close();
    }
  });

  it('gives clear errors for bad flags and bad files', async () => {
    const badPort = await runToEnd('src/server/serve-cli.ts', ['--port', 'eighty']);
    expect(badPort.code).toBe(2);
    expect(badPort.out).toContain('--port must be a port number');
    const noOut = await runToEnd('src/server/export-cli.ts', ['--data-dir', tempDir()]);
    expect(noOut.code).toBe(2);
    expect(noOut.out).toContain('--out is required');
    const notExport = path.join(tempDir(), 'x.json');
    fs.writeFileSync(notExport, '{"hello": "world"}');
    const bad = await runToEnd('src/server/import-cli.ts', ['--data-dir', tempDir(), notExport]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/error: .*format/i);
  });
});

/**
 * kill -9 in the middle of a stream of deliveries: every event that was acknowledged (2xx) must be
 * in the store after a restart, the store must open and pass SQLite's integrity check, and the
 * projections must agree with the raw events.
 */
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'libsql';
import { ivrScenario } from '../shared/studio-fixtures.js';
import { sid } from '../shared/studio-fixtures.js';
import { useTempDir } from '../support/temp-dir.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';
import { STORE_FILE_NAME } from '../../src/core/store/event-store.js';

const tempDir = useTempDir();
const running: ServeProcess[] = [];
afterEach(() => {
  for (const p of running.splice(0)) if (p.child.exitCode === null) p.child.kill('SIGKILL');
});

/** Deliveries of whole executions, each a distinct set of events (batches of ~8). */
function* deliveries(): Generator<Array<{ id: string }>> {
  for (let i = 0; ; i++) yield ivrScenario(sid('FN', 1_000 + i)).events;
}

describe('crash recovery', () => {
  it('keeps every acknowledged event through kill -9, and the store reopens consistent', async () => {
    const dataDir = tempDir();
    const serve = await startServe(['--port', '0', '--data-dir', dataDir, '--no-ui']);
    running.push(serve);
    const acknowledged = new Set<string>();
    let killed = false;
    const source = deliveries();
    const worker = async () => {
      while (!killed) {
        const batch = source.next().value as Array<{ id: string }>;
        try {
          const response = await fetch(serve.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
          if (response.status === 200) for (const event of batch) acknowledged.add(event.id);
        } catch {
          // the connection died with the process: not acknowledged, Twilio would retry
        }
      }
    };
    const workers = Array.from({ length: 12 }, worker);
    while (acknowledged.size < 2_000) await new Promise((resolve) => setTimeout(resolve, 5));
    serve.child.kill('SIGKILL'); // mid-stream: requests are in flight
    killed = true;
    expect(await serve.exited).toBe('SIGKILL');
    await Promise.all(workers);

    const db = new Database(path.join(dataDir, STORE_FILE_NAME));
    try {
      expect((db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
      const stored = new Set((db.prepare('SELECT id FROM events').all() as Array<{ id: string }>).map((row) => row.id));
      const missing = [...acknowledged].filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
    } finally {
      db.close();
    }

    // restart on the same store: it serves again, and every execution's projection is there
    const again = await startServe(['--port', '0', '--data-dir', dataDir, '--no-ui']);
    running.push(again);
    const extra = ivrScenario(sid('FN', 999));
    expect((await fetch(again.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(extra.events) })).status).toBe(200);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    const check = new Database(path.join(dataDir, STORE_FILE_NAME));
    try {
      const withEvents = (check.prepare('SELECT count(DISTINCT execution_sid) AS n FROM events WHERE execution_sid IS NOT NULL').get() as { n: number }).n;
      const projected = (check.prepare('SELECT count(*) AS n FROM executions').get() as { n: number }).n;
      expect(projected).toBe(withEvents);
    } finally {
      check.close();
    }
  });
});

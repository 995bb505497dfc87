import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { STORE_FILE_NAME } from '../../../src/core/store/event-store.js';
import { openStore, tempDir } from './store-test-helpers.js';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'append-until-killed.ts');

/** Runs the child until it acknowledged `acks` batches, then kills it with SIGKILL. Returns the acked event ids. */
function runAndKill(dataDir: string, acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acked: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [, first, last] = line.split(' ').map(Number);
        for (let id = first ?? 0; id <= (last ?? -1); id++) acked.push(`crash-${id}`);
        if (acked.length >= acks * 10) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) =>
      signal === 'SIGKILL' ? resolve(acked) : reject(new Error(`child exited by itself: ${stderr}`)),
    );
  });
}

describe('durability', () => {
  it('keeps every acknowledged event after the process is killed mid-ingest (kill -9)', async () => {
    const dir = tempDir();
    const acked = await runAndKill(dir, 60);
    expect(acked.length).toBeGreaterThanOrEqual(600);

    const check = new Database(path.join(dir, STORE_FILE_NAME));
    expect(check.pragma('integrity_check')).toEqual([expect.objectContaining({ integrity_check: 'ok' })]);
    const stored = new Set(
      (check.prepare('SELECT id FROM events').all() as { id: string }[]).map((row) => row.id),
    );
    check.close();
    expect(acked.filter((id) => !stored.has(id))).toEqual([]);

    // the reopened store is consistent: the projection counts every stored event
    const store = openStore(dir);
    const executions = store.listExecutions({}, 0, 100).items;
    expect(executions.reduce((n, e) => n + e.eventCount, 0)).toBe(store.counts().storedEvents);
  });
});

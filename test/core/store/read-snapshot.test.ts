/**
 * Exports read one SQLite snapshot (read-snapshot.ts): events committed while an export is paused
 * between pages are not in it, and the snapshot's connection is released however the export ends.
 * Interleaving is made deterministic by the sink: writeExport flushes after every page, and the
 * sink's first call (page 1 written) awaits the test's ingest before the export may go on.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { STORE_FILE_NAME, StoreUnavailableError, type EventStore } from '../../../src/core/store/event-store.js';
import { exportToString, writeExport } from '../../../src/core/store/export-writer.js';
import { exportDocumentSchema } from '../../../src/shared/export-format.js';
import { at, executionScenario, sid, sinkTestEvent, stepEnded } from '../../shared/studio-fixtures.js';
import { batchOf, openStore, tempDir, withWriterMode, WRITER_MODES } from './store-test-helpers.js';

const NOW = new Date('2025-02-01T08:30:00.000Z');
const MINUTE = 60_000;

/** E1..E5 started at 1..5 minutes; L has only a step (at 10 minutes), its `started` (at 0) still to come. */
function scenarios() {
  const complete = Array.from({ length: 5 }, (_, i) =>
    executionScenario({
      executionSid: sid('FN', 100 + i),
      start: at((i + 1) * MINUTE),
      steps: [{ from: 'Trigger', to: 'say', name: 'incomingCall', atMs: 10 }],
      ended: { atMs: 500 },
    }),
  );
  const late = executionScenario({
    executionSid: sid('FN', 999),
    start: at(0),
    steps: [{ from: 'Trigger', to: 'say', name: 'incomingCall', atMs: 10 * MINUTE }],
  });
  const newcomer = executionScenario({ executionSid: sid('FN', 500), start: at(MINUTE / 2), steps: [] });
  return { complete, late, newcomer };
}

async function seededStore(dataDir = tempDir()): Promise<{ store: EventStore; dataDir: string } & ReturnType<typeof scenarios>> {
  const store = openStore(dataDir);
  const all = scenarios();
  await store.append(batchOf([...all.complete.flatMap((s) => s.events), ...all.late.steps, sinkTestEvent('t1')]));
  return { store, dataDir, ...all };
}

/** Events that, without a snapshot, would move L behind the cursor, add an execution ahead of it, and grow E1. */
function lateArrivals(all: ReturnType<typeof scenarios>) {
  const first = all.complete[0];
  if (first === undefined) throw new Error('no executions');
  const extraStep = stepEnded({
    data: { execution_sid: first.executionSid, step_sid: sid('FT', 'extra'), name: 'extra', date_created: at(MINUTE + 100) },
  });
  return [all.late.started, ...all.newcomer.events, extraStep, sinkTestEvent('t2')];
}

/** A sink that collects chunks and runs `onFirstChunk` (awaited) when page 1 has been written. */
function pausingSink(onFirstChunk: () => Promise<void>) {
  const chunks: string[] = [];
  const sink = async (chunk: string) => {
    chunks.push(chunk);
    if (chunks.length === 1) await onFirstChunk();
  };
  return { chunks, sink };
}

/** Checkpoints the whole WAL from a connection of the test's own: busy while a reader holds an older snapshot. */
function truncateCheckpointBusy(dataDir: string): boolean {
  const db = new Database(path.join(dataDir, STORE_FILE_NAME));
  try {
    db.exec('PRAGMA busy_timeout = 0');
    const row = db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').get() as { busy: number };
    return row.busy !== 0;
  } finally {
    db.close();
  }
}

describe.each(WRITER_MODES)('export snapshot, $name', ({ writerThread }) => {
  withWriterMode(writerThread);

  it('exports the state at its start, each execution once, while events arrive between its pages', async () => {
    const seeded = await seededStore();
    const { store } = seeded;
    const before = (await exportToString(store, {}, { now: NOW })).text;
    const arrivals = lateArrivals(seeded);
    let ingestedDuringExport = false;
    const { chunks, sink } = pausingSink(async () => {
      const outcome = await store.append(batchOf(arrivals));
      expect(outcome.inserted).toBe(arrivals.length);
      // ingest committed and is visible to everything but the running export
      expect(store.getExecution(seeded.late.executionSid)?.tree.summary.startedAt).toBe(at(0));
      expect(store.getExecution(seeded.newcomer.executionSid)).not.toBeNull();
      ingestedDuringExport = true;
    });

    const counts = await writeExport(store, {}, sink, { pageSize: 1, now: NOW });

    expect(ingestedDuringExport).toBe(true);
    expect(chunks.length).toBeGreaterThan(2); // the export went on for pages after the pause
    const text = chunks.join('');
    const sids = exportDocumentSchema.parse(JSON.parse(text)).executions.map((e) => e.summary.executionSid);
    expect(new Set(sids).size).toBe(sids.length);
    expect(sids[0]).toBe(seeded.late.executionSid); // newest at the start: on page 1, before the pause
    expect(text).toBe(before);
    expect(counts).toEqual({ executions: 6, events: 5 * 3 + 1, otherEvents: 1 });

    // the next export sees everything
    const after = exportDocumentSchema.parse(JSON.parse((await exportToString(store, {})).text));
    expect(after.executions.map((e) => e.summary.executionSid).at(-1)).toBe(seeded.late.executionSid);
    expect(after.executions).toHaveLength(7);
    expect(after.otherEvents).toHaveLength(2);
  });

  it('holds one read snapshot during the export and releases it when the export is done', async () => {
    const seeded = await seededStore();
    const { store, dataDir } = seeded;
    expect(store.openReadSnapshots).toBe(0);
    const seen: Array<{ open: number; busy: boolean }> = [];
    const { sink } = pausingSink(async () => {
      await store.append(batchOf(lateArrivals(seeded)));
      seen.push({ open: store.openReadSnapshots, busy: truncateCheckpointBusy(dataDir) });
    });
    await writeExport(store, {}, sink, { pageSize: 1 });
    expect(seen).toEqual([{ open: 1, busy: true }]);
    expect(store.openReadSnapshots).toBe(0);
    expect(truncateCheckpointBusy(dataDir)).toBe(false);
  });

  it('releases the snapshot when the sink fails', async () => {
    const seeded = await seededStore();
    const { store, dataDir } = seeded;
    const { sink } = pausingSink(async () => {
      await store.append(batchOf(lateArrivals(seeded)));
      throw new Error('disk full');
    });
    await expect(writeExport(store, {}, sink, { pageSize: 1 })).rejects.toThrow(/disk full/);
    expect(store.openReadSnapshots).toBe(0);
    expect(truncateCheckpointBusy(dataDir)).toBe(false);
  });

  it('releases the snapshot when the destination stream goes away mid-export (a client that disconnects)', async () => {
    const seeded = await seededStore();
    const { store, dataDir } = seeded;
    // never calls back: the export waits for drain until the stream is destroyed
    const stalled = new Writable({ highWaterMark: 1, write() {} });
    stalled.on('error', () => undefined);
    const done = writeExport(store, {}, stalled, { pageSize: 1 });
    await store.append(batchOf(lateArrivals(seeded)));
    expect(store.openReadSnapshots).toBe(1);
    stalled.destroy(new Error('client gone'));
    await expect(done).rejects.toThrow(/client gone|closed before the export finished/);
    expect(store.openReadSnapshots).toBe(0);
    expect(truncateCheckpointBusy(dataDir)).toBe(false);
  });

  it('fails the export with StoreUnavailableError when the store closes during it, and releases the snapshot', async () => {
    const { store } = await seededStore();
    const { sink } = pausingSink(async () => {
      store.close();
    });
    await expect(writeExport(store, {}, sink, { pageSize: 1 })).rejects.toThrow(StoreUnavailableError);
    expect(store.openReadSnapshots).toBe(0);
  });

  it('refuses a snapshot of a closed store', async () => {
    const { store } = await seededStore();
    store.close();
    await expect(store.withReadSnapshot(async () => 1)).rejects.toThrow(/the store is closed/);
    await expect(writeExport(store, {}, async () => undefined)).rejects.toThrow(StoreUnavailableError);
  });

  it('offers the export reads and counts of one moment', async () => {
    const seeded = await seededStore();
    const { store } = seeded;
    const result = await store.withReadSnapshot(async (snapshot) => {
      await store.append(batchOf(lateArrivals(seeded)));
      const page = snapshot.pageExecutions({}, null, 100);
      return {
        counts: snapshot.counts(),
        sids: page.items.map((e) => e.executionSid),
        late: snapshot.getExecutionWithRawEvents(seeded.late.executionSid),
        newcomer: snapshot.getExecutionWithRawEvents(seeded.newcomer.executionSid),
        other: snapshot.pageOtherEvents(0, 10),
      };
    });
    expect(result.counts).toEqual({ storedEvents: 5 * 3 + 2, executions: 6 });
    expect(result.sids).toEqual(
      [seeded.late, ...[...seeded.complete].reverse()].map((s) => s.executionSid),
    );
    expect(result.late?.tree.summary.startedAt).toBe(at(10 * MINUTE));
    expect(result.late?.rawEvents.map((raw) => JSON.parse(raw) as unknown)).toEqual(seeded.late.steps);
    expect(result.newcomer).toBeNull();
    expect(result.other.rawEvents.map((raw) => JSON.parse(raw) as unknown)).toEqual([sinkTestEvent('t1')]);
    expect(result.other.next).toBeNull();
    expect(store.counts()).toEqual({ storedEvents: 5 * 3 + 2 + lateArrivals(seeded).length, executions: 7 });
  });
});

/**
 * The store's writer thread (writer-thread.ts, writer-thread-client.ts): the failure paths around
 * the thread itself. The store's behaviour with it is covered by the suites that run in both
 * writer modes (event-store.test.ts, retention.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { EventStore, STORE_FILE_NAME, StoreUnavailableError } from '../../../src/core/store/event-store.js';
import { ThreadedStoreWriter } from '../../../src/core/store/writer-thread-client.js';
import { WriterState, type WriterReply, type WriterRequest, type WriterThreadData } from '../../../src/core/store/writer-protocol.js';
import { ivrScenario } from '../../shared/studio-fixtures.js';
import { batchOf, openStore, tempDir } from './store-test-helpers.js';

const BUNDLED_WRITER = path.resolve(import.meta.dirname, '../../../out/main/writer-thread.js');

describe('store writer thread', () => {
  function migratedStoreFile(): string {
    const dir = tempDir();
    openStore(dir).close(); // creates and migrates the file, as EventStore.open does before starting the thread
    return path.join(dir, STORE_FILE_NAME);
  }

  it('when the thread dies: what was in flight settles, the failure is reported, writes get 503 until it restarts', async () => {
    const failures: string[] = [];
    const writer = new ThreadedStoreWriter(migratedStoreFile(), {}, { onFailure: (m) => failures.push(m), restartCooldownMs: 60_000 });
    const ivr = ivrScenario();
    const inFlight = writer.append(batchOf(ivr.events)).then(
      () => 'committed',
      (error: unknown) => (error instanceof StoreUnavailableError ? 'refused' : error),
    );
    await (writer as unknown as { thread: { worker: Worker } }).thread.worker.terminate();
    expect(['committed', 'refused']).toContain(await inFlight);
    expect(failures).toEqual(['the store writer stopped']);
    await expect(writer.append(batchOf(ivr.events))).rejects.toThrow(/restarting/);
    await expect(writer.applyRetention()).rejects.toBeInstanceOf(StoreUnavailableError);
    writer.close(); // no thread left to wait for
  });

  it('starts a new thread on the next write after a death', async () => {
    const file = migratedStoreFile();
    const writer = new ThreadedStoreWriter(file, {}, { restartCooldownMs: 0 });
    const ivr = ivrScenario();
    await writer.append(batchOf(ivr.events.slice(0, 2)));
    await (writer as unknown as { thread: { worker: Worker } }).thread.worker.terminate();
    await expect(writer.append(batchOf(ivr.events))).resolves.toMatchObject({ inserted: ivr.events.length - 2, duplicates: 2 });
    writer.close();
  });

  it('EventStore.open fails with the reason when the thread cannot open the store', () => {
    const notAFile = path.join(tempDir(), 'a-directory');
    fs.mkdirSync(notAFile);
    expect(() => new ThreadedStoreWriter(notAFile, {})).toThrow(StoreUnavailableError);
    expect(() => new ThreadedStoreWriter(notAFile, {})).toThrow(/cannot open the store/);
  });

  it('refuses appends at once (503) beyond the queued-events bound, and takes them again once it drains', async () => {
    const store = openStore(tempDir(), { writerThread: true, maxQueuedEvents: 20 });
    const scenarios = Array.from({ length: 6 }, (_, i) => ivrScenario(`FN${String(i).padStart(32, '0')}`));
    const outcomes = await Promise.allSettled(scenarios.map((s) => store.append(batchOf(s.events))));
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(refused.length).toBeGreaterThan(0);
    for (const o of refused) expect((o as PromiseRejectedResult).reason).toBeInstanceOf(StoreUnavailableError);
    const committed = outcomes.length - refused.length;
    expect(store.counts().executions).toBe(committed);
    await store.append(batchOf(scenarios[5]!.events));
    expect(store.listExecutions().items.map((e) => e.executionSid)).toContain(scenarios[5]!.executionSid);
  });

  it('rebuilds the errors callers test for: a bad cut-off is a RangeError, nothing is deleted', async () => {
    const store = openStore(tempDir(), { writerThread: true });
    await store.append(batchOf(ivrScenario().events));
    await expect(store.clearOlderThan('not a date')).rejects.toBeInstanceOf(RangeError);
    expect(store.counts().executions).toBe(1);
  });

  it('close() returns only once the thread committed what was queued and closed its connection', async () => {
    const dir = tempDir();
    const store = EventStore.open(dir, { writerThread: true });
    const ivr = ivrScenario();
    await store.append(batchOf(ivr.events.slice(0, 1)));
    const queued = store.append(batchOf(ivr.events));
    store.close();
    // before this thread yields once: the queued delivery is already committed
    const db = new Database(path.join(dir, STORE_FILE_NAME));
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toMatchObject({ n: ivr.events.length });
    db.close();
    await expect(queued).resolves.toMatchObject({ inserted: ivr.events.length - 1 });
  });

  it('closeAsync() commits what was queued without blocking, then refuses writes', async () => {
    const dir = tempDir();
    const store = EventStore.open(dir, { writerThread: true });
    const ivr = ivrScenario();
    const queued = store.append(batchOf(ivr.events));
    const closing = store.closeAsync();
    await expect(store.append(batchOf(ivr.events))).rejects.toBeInstanceOf(StoreUnavailableError);
    await closing;
    await expect(queued).resolves.toMatchObject({ inserted: ivr.events.length });
    const reopened = openStore(dir);
    expect(reopened.counts()).toEqual({ storedEvents: ivr.events.length, executions: 1 });
  });

  it('the bundled writer (electron-vite build, out/main/writer-thread.js) opens, commits and closes', async () => {
    expect(fs.existsSync(BUNDLED_WRITER), 'run `electron-vite build` first (npm test does)').toBe(true);
    const file = migratedStoreFile();
    const stateBuffer = new SharedArrayBuffer(4);
    const state = new Int32Array(stateBuffer);
    const setup = new MessageChannel();
    const workerData: WriterThreadData = { file, options: {}, state: stateBuffer, setup: setup.port2 };
    const worker = new Worker(BUNDLED_WRITER, { workerData, transferList: [setup.port2] });
    expect(Atomics.wait(state, 0, WriterState.starting, 10_000)).not.toBe('timed-out');
    expect(Atomics.load(state, 0)).toBe(WriterState.ready);
    setup.port1.close();
    const ivr = ivrScenario();
    const reply = new Promise<WriterReply>((resolve) => worker.once('message', resolve));
    worker.postMessage({ id: 1, op: 'append', batch: batchOf(ivr.events) } satisfies WriterRequest);
    expect(await reply).toMatchObject({ id: 1, ok: true, value: { inserted: ivr.events.length } });
    worker.postMessage({ id: 2, op: 'close' } satisfies WriterRequest);
    expect(Atomics.wait(state, 0, WriterState.ready, 10_000)).not.toBe('timed-out');
    expect(Atomics.load(state, 0)).toBe(WriterState.closed);
    await new Promise((resolve) => worker.once('exit', resolve));
    const reopened = openStore(path.dirname(file));
    expect(reopened.counts()).toEqual({ storedEvents: ivr.events.length, executions: 1 });
  });
});

/**
 * The store's writer thread (writer-thread.ts, writer-thread-client.ts): the failure paths around
 * the thread itself. The store's behaviour with it is covered by the suites that run in both
 * writer modes (event-store.test.ts, retention.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { EventStore, STORE_FILE_NAME, StoreUnavailableError } from '../../../src/core/store/event-store.js';
import { ThreadedStoreWriter } from '../../../src/core/store/writer-thread-client.js';
import type { WriterReply, WriterRequest, WriterThreadData } from '../../../src/core/store/writer-protocol.js';
import { ivrScenario } from '../../shared/studio-fixtures.js';
import { batchOf, openStore, tempDir } from './store-test-helpers.js';

const BUNDLED_WRITER = path.resolve(import.meta.dirname, '../../../out/main/writer-thread.js');

describe('store writer thread', () => {
  it('fails every write with StoreUnavailableError, at once and later, when the thread dies', async () => {
    const dir = tempDir();
    openStore(dir).close(); // creates and migrates the file, as EventStore.open does first
    const writer = new ThreadedStoreWriter(path.join(dir, STORE_FILE_NAME), {});
    const ivr = ivrScenario();
    const inFlight = writer.append(batchOf(ivr.events));
    await (writer as unknown as { worker: Worker }).worker.terminate();
    await expect(inFlight).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(writer.append(batchOf(ivr.events))).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(writer.applyRetention()).rejects.toBeInstanceOf(StoreUnavailableError);
    writer.close(); // nothing left to close: returns at once
  });

  it('answers every write with the reason when the thread cannot open the store', async () => {
    const dir = tempDir();
    const notAFile = path.join(dir, 'a-directory');
    fs.mkdirSync(notAFile);
    const writer = new ThreadedStoreWriter(notAFile, {});
    await expect(writer.append(batchOf(ivrScenario().events))).rejects.toThrow(/cannot open the store/);
    writer.close();
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

  it('the bundled writer (electron-vite build, out/main/writer-thread.js) commits and closes', async () => {
    expect(fs.existsSync(BUNDLED_WRITER), 'run `electron-vite build` first (npm test does)').toBe(true);
    const dir = tempDir();
    openStore(dir).close();
    const closedSignal = new SharedArrayBuffer(4);
    const workerData: WriterThreadData = { file: path.join(dir, STORE_FILE_NAME), options: {}, closedSignal };
    const worker = new Worker(BUNDLED_WRITER, { workerData });
    const ivr = ivrScenario();
    const reply = new Promise<WriterReply>((resolve) => worker.once('message', resolve));
    worker.postMessage({ id: 1, op: 'append', batch: batchOf(ivr.events) } satisfies WriterRequest);
    expect(await reply).toMatchObject({ id: 1, ok: true, value: { inserted: ivr.events.length } });
    worker.postMessage({ id: 2, op: 'close' } satisfies WriterRequest);
    expect(Atomics.wait(new Int32Array(closedSignal), 0, 0, 10_000)).not.toBe('timed-out');
    await new Promise((resolve) => worker.once('exit', resolve));
    const reopened = openStore(dir);
    expect(reopened.counts()).toEqual({ storedEvents: ivr.events.length, executions: 1 });
  });
});

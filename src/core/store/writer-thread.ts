/**
 * Entry of the store's writer thread (a worker_threads Worker started by writer-thread-client.ts):
 * owns a StoreWriter with a connection of its own and answers the main thread's requests.
 *
 * Invariants:
 * - Requests are served in arrival order; appends arriving in the same turn share a group commit.
 * - Every request but `close` gets exactly one reply, carrying the commit statistics after it.
 * - `close` commits what is queued, closes the connection, then signals `closedSignal` so that
 *   the main thread, blocked in Atomics.wait, can reopen or delete the file right away.
 * - If the connection cannot be opened, every request is answered with that error (the receiver
 *   then answers 503); the thread never exits on its own before `close`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StoreUnavailableError, describeError } from './store-errors.js';
import { StoreWriter } from './store-writer.js';
import type { SerializedError, WriterReply, WriterRequest, WriterThreadData } from './writer-protocol.js';

const data = workerData as WriterThreadData;
if (parentPort === null) throw new Error('writer-thread.ts runs only as a worker thread');
const port = parentPort;

let writer: StoreWriter | null = null;
let openError: unknown = null;
try {
  writer = StoreWriter.open(data.file, data.options);
} catch (error) {
  openError = error;
}

function serialize(error: unknown): SerializedError {
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof StoreUnavailableError || error instanceof RangeError ? error.message : describeError(error),
    storeWide: error instanceof StoreUnavailableError ? error.storeWide : false,
  };
}

function reply(id: number, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }): void {
  const stats = writer === null ? null : writer.commitStats;
  const message: WriterReply = outcome.ok
    ? { id, ok: true, value: outcome.value, stats }
    : { id, ok: false, error: serialize(outcome.error), stats };
  port.postMessage(message);
}

function run(w: StoreWriter, request: WriterRequest): Promise<unknown> {
  switch (request.op) {
    case 'append':
      return w.append(request.batch);
    case 'applyRetention':
      return w.applyRetention(request.now === null ? undefined : new Date(request.now));
    case 'clearOlderThan':
      return w.clearOlderThan(request.isoTime);
    case 'setRetention':
      return w.setRetention(request.settings);
    case 'close':
      return Promise.resolve(null);
  }
}

function close(): void {
  try {
    writer?.close();
  } finally {
    const signal = new Int32Array(data.closedSignal);
    Atomics.store(signal, 0, 1);
    Atomics.notify(signal, 0);
    // replies of the commits close() just flushed are posted from microtasks: let them go first
    setImmediate(() => port.close());
  }
}

port.on('message', (request: WriterRequest) => {
  if (request.op === 'close') {
    close();
    return;
  }
  if (writer === null) {
    reply(request.id, { ok: false, error: openError });
    return;
  }
  run(writer, request).then(
    (value) => reply(request.id, { ok: true, value }),
    (error: unknown) => reply(request.id, { ok: false, error }),
  );
});

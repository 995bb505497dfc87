/**
 * Entry of the store's writer thread (a worker_threads Worker started by writer-thread-client.ts):
 * owns a StoreWriter with a connection of its own and answers the main thread's requests.
 *
 * Invariants:
 * - It opens the store first and says so in the shared state: `ready`, or `openFailed` after
 *   posting the reason on the setup port; the main thread waits for either before going on.
 * - Requests are served in arrival order; appends arriving in the same turn share a group commit.
 *   Every request but `close` gets exactly one reply, carrying the commit statistics after it.
 * - `close` commits what is queued, closes the connection, then sets `closed` so that the main
 *   thread, blocked in Atomics.wait (or awaiting Atomics.waitAsync), can go on at once.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeError, StoreUnavailableError } from './store-errors.js';
import { StoreWriter } from './store-writer.js';
import { WriterState, type SerializedError, type WriterReply, type WriterRequest, type WriterThreadData } from './writer-protocol.js';

const data = workerData as WriterThreadData;
if (parentPort === null) throw new Error('writer-thread.ts runs only as a worker thread');
const port = parentPort;
const state = new Int32Array(data.state);

function signal(value: number): void {
  Atomics.store(state, 0, value);
  Atomics.notify(state, 0);
}

function serialize(error: unknown): SerializedError {
  return {
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof StoreUnavailableError || error instanceof RangeError ? error.message : describeError(error),
    storeWide: error instanceof StoreUnavailableError ? error.storeWide : false,
  };
}

function run(writer: StoreWriter, request: Exclude<WriterRequest, { op: 'close' }>): Promise<unknown> {
  switch (request.op) {
    case 'append':
      return writer.append(request.batch);
    case 'applyRetention':
      return writer.applyRetention(request.now === null ? undefined : new Date(request.now));
    case 'clearOlderThan':
      return writer.clearOlderThan(request.isoTime);
    case 'setRetention':
      return writer.setRetention(request.settings);
  }
}

function serve(writer: StoreWriter): void {
  const reply = (id: number, outcome: { ok: true; value: unknown } | { ok: false; error: unknown }) => {
    const stats = writer.commitStats;
    const message: WriterReply = outcome.ok
      ? { id, ok: true, value: outcome.value, stats }
      : { id, ok: false, error: serialize(outcome.error), stats };
    port.postMessage(message);
  };
  port.on('message', (request: WriterRequest) => {
    if (request.op === 'close') {
      try {
        writer.close();
      } finally {
        signal(WriterState.closed);
        // replies of the commits close() just flushed are posted from microtasks: let them go first
        setImmediate(() => port.close());
      }
      return;
    }
    run(writer, request).then(
      (value) => reply(request.id, { ok: true, value }),
      (error: unknown) => reply(request.id, { ok: false, error }),
    );
  });
}

let writer: StoreWriter | null = null;
try {
  writer = StoreWriter.open(data.file, data.options);
} catch (error) {
  data.setup.postMessage(serialize(error));
  signal(WriterState.openFailed);
  data.setup.close();
  port.close();
}
if (writer !== null) {
  data.setup.close();
  serve(writer);
  signal(WriterState.ready);
}

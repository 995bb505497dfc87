/**
 * The main thread's end of the store's writer thread: a StoreWriteSide whose writes run in a
 * worker_threads Worker (writer-thread.ts), so that SQLite inserts, projection updates and fsyncs
 * run beside the thread that serves HTTP instead of blocking it.
 *
 * Invariants:
 * - Each call resolves or rejects exactly once, with the writer's answer; if the thread dies, every
 *   call in flight and every later one rejects with StoreUnavailableError (the receiver answers
 *   503 and Twilio retries), never hangs.
 * - `close` is synchronous like the rest of the store's lifecycle: it asks the thread to commit
 *   what is queued and close its connection, and blocks (Atomics.wait, bounded) until it did, so
 *   the file can be reopened or removed right after. Answers to calls flushed by the close are
 *   delivered afterwards on the event loop.
 * - The worker keeps the process alive only while calls are in flight (a CLI awaiting an import
 *   must not exit under it; an idle store must not keep a finished process running).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RetentionSettings } from '../../shared/contract.js';
import type { IngestBatch } from '../receiver/ingest-port.js';
import type { AppendOutcome } from './append-commit.js';
import type { GroupCommitStats } from './group-commit.js';
import type { DeleteCounts } from './retention.js';
import { storeClosedError, StoreUnavailableError } from './store-errors.js';
import type { StoreWriteSide, StoreWriterOptions } from './store-writer.js';
import type { SerializedError, WriterReply, WriterRequest, WriterThreadData } from './writer-protocol.js';

/** How long close() waits for the thread to commit what is queued and close its connection. */
const CLOSE_TIMEOUT_MS = 15_000;

type RequestBody = WriterRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Where the writer thread's code is: next to this module when running from TypeScript sources
 * (through a boot script that registers tsx), or `writer-thread.js` beside the bundle (electron-vite
 * emits it as an entry of its own; this module may sit in a chunk one folder down).
 */
function writerThreadScript(): { script: URL; entry?: string } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return { script: new URL('./writer-thread-boot.mjs', here), entry: new URL('./writer-thread.ts', here).href };
  }
  for (const candidate of ['./writer-thread.js', '../writer-thread.js']) {
    const script = new URL(candidate, here);
    if (fs.existsSync(fileURLToPath(script))) return { script };
  }
  throw new StoreUnavailableError('the store writer (writer-thread.js) is missing from this build');
}

function rebuildError(error: SerializedError): Error {
  if (error.name === 'StoreUnavailableError') return new StoreUnavailableError(error.message, { storeWide: error.storeWide });
  if (error.name === 'RangeError') return new RangeError(error.message);
  return new Error(error.message);
}

export class ThreadedStoreWriter implements StoreWriteSide {
  private readonly worker: Worker;
  private readonly closedSignal = new SharedArrayBuffer(4);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private latestStats: GroupCommitStats = { commits: 0, items: 0, failures: 0 };
  /** Set once the thread is gone (closed or died): every call rejects with it. */
  private stopped: StoreUnavailableError | null = null;

  /** Starts the thread on a store file EventStore.open already created and migrated. */
  constructor(file: string, options: StoreWriterOptions) {
    const { script, entry } = writerThreadScript();
    const workerData: WriterThreadData = { file, options, closedSignal: this.closedSignal, ...(entry ? { entry } : {}) };
    this.worker = new Worker(script, { workerData });
    this.worker.unref();
    this.worker.on('message', (reply: WriterReply) => this.onReply(reply));
    this.worker.on('error', (error) => this.stop(new StoreUnavailableError(`the store writer failed: ${error.message}`, { storeWide: true })));
    this.worker.on('exit', () => this.stop(storeClosedError()));
  }

  append(batch: IngestBatch): Promise<AppendOutcome> {
    return this.call({ op: 'append', batch }) as Promise<AppendOutcome>;
  }

  applyRetention(now?: Date): Promise<DeleteCounts> {
    return this.call({ op: 'applyRetention', now: now === undefined ? null : now.toISOString() }) as Promise<DeleteCounts>;
  }

  clearOlderThan(isoTime: string): Promise<DeleteCounts> {
    return this.call({ op: 'clearOlderThan', isoTime }) as Promise<DeleteCounts>;
  }

  setRetention(settings: RetentionSettings): Promise<RetentionSettings> {
    return this.call({ op: 'setRetention', settings }) as Promise<RetentionSettings>;
  }

  get commitStats(): Readonly<GroupCommitStats> {
    return { ...this.latestStats };
  }

  close(): void {
    if (this.stopped !== null) return;
    this.worker.postMessage({ id: 0, op: 'close' } satisfies WriterRequest);
    const signal = new Int32Array(this.closedSignal);
    const result = Atomics.wait(signal, 0, 0, CLOSE_TIMEOUT_MS);
    this.stopped = storeClosedError();
    if (result === 'timed-out') void this.worker.terminate();
  }

  private call(body: RequestBody): Promise<unknown> {
    if (this.stopped !== null) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...body, id } as WriterRequest);
    });
  }

  private onReply(reply: WriterReply): void {
    if (reply.stats !== null) this.latestStats = reply.stats;
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.settled(reply.id);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(rebuildError(reply.error));
  }

  private settled(id: number): void {
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
  }

  /** The thread is gone: fail everything in flight and everything after. */
  private stop(error: StoreUnavailableError): void {
    if (this.stopped === null) this.stopped = error;
    for (const [id, pending] of [...this.pending]) {
      this.settled(id);
      pending.reject(error);
    }
  }
}

/**
 * The main thread's end of the store's writer thread: a StoreWriteSide whose writes run in a
 * worker_threads Worker (writer-thread.ts), so that SQLite inserts, projection updates and fsyncs
 * run beside the thread that serves HTTP instead of blocking it.
 *
 * Invariants:
 * - Construction returns only once the thread has opened the store; if it cannot, the constructor
 *   throws StoreUnavailableError with the reason (so EventStore.open fails as it always did).
 * - Each call resolves or rejects exactly once, with the writer's answer. If the thread dies, every
 *   call in flight rejects with StoreUnavailableError (the receiver answers 503; Twilio retries),
 *   `onFailure` is told, and the next call starts a new thread (at most one start per cooldown).
 * - Back-pressure: the commit no longer blocks the thread that reads requests, so nothing else
 *   would bound the deliveries waiting for the disk. Beyond `maxQueuedEvents` waiting, appends are
 *   refused at once with StoreUnavailableError (503 + Retry-After) instead of queueing past
 *   Twilio's 5-second timeout.
 * - `close` is synchronous like the rest of the store's lifecycle: it asks the thread to commit
 *   what is queued and close its connection, and blocks (Atomics.wait, bounded) until it did, so
 *   the file can be reopened or removed right after. `closeAsync` does the same without blocking
 *   (the desktop app's quit path uses it). Answers to calls flushed by a close are delivered
 *   afterwards on the event loop.
 * - The worker keeps the process alive only while calls are in flight (a CLI awaiting an import
 *   must not exit under it; an idle store must not keep a finished process running).
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { RetentionSettings } from '../../shared/contract.js';
import type { IngestBatch } from '../receiver/ingest-port.js';
import type { AppendOutcome } from './append-commit.js';
import type { GroupCommitStats } from './group-commit.js';
import type { DeleteCounts } from './retention.js';
import { storeClosedError, StoreUnavailableError } from './store-errors.js';
import type { StoreWriteSide, StoreWriterOptions } from './store-writer.js';
import { WriterState, type SerializedError, type WriterReply, type WriterRequest, type WriterThreadData } from './writer-protocol.js';

/** Starting from TypeScript sources compiles them first (~0.5 s, more on a busy machine). */
const OPEN_TIMEOUT_MS = 20_000;
/** How long close() waits for the thread to commit what is queued and close its connection. */
const CLOSE_TIMEOUT_MS = 5_000;
/** Events waiting for their commit beyond which appends are refused (about a second of a full disk's pace). */
export const DEFAULT_MAX_QUEUED_EVENTS = 20_000;
const DEFAULT_RESTART_COOLDOWN_MS = 1_000;

export interface ThreadedWriterHooks {
  /** The thread died (not closed by us): told once per death, with a sentence. */
  onFailure?: (message: string) => void;
  maxQueuedEvents?: number;
  /** Least time between two starts of the thread. */
  restartCooldownMs?: number;
}

/** A request before it gets its id (Omit applied to each member of the union). */
type WithoutId<R> = R extends unknown ? Omit<R, 'id'> : never;
type RequestBody = WithoutId<WriterRequest>;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  weight: number;
}

interface Thread {
  worker: Worker;
  state: Int32Array;
}

/**
 * Where the writer thread's code is: next to this module when running from TypeScript sources
 * (through a boot script that registers tsx), else `writer-thread.js` beside the bundle
 * (electron-vite emits it as an entry of its own, in the same folder as index.js).
 */
function writerThreadScript(): { script: URL; entry?: string } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    return { script: new URL('./writer-thread-boot.mjs', here), entry: new URL('./writer-thread.ts', here).href };
  }
  const script = new URL('./writer-thread.js', here);
  if (!fs.existsSync(fileURLToPath(script))) {
    throw new StoreUnavailableError('the store writer (writer-thread.js) is missing from this build', { storeWide: true });
  }
  return { script };
}

function rebuildError(error: SerializedError): Error {
  if (error.name === 'StoreUnavailableError') return new StoreUnavailableError(error.message, { storeWide: error.storeWide });
  if (error.name === 'RangeError') return new RangeError(error.message);
  return new Error(error.message);
}

export class ThreadedStoreWriter implements StoreWriteSide {
  private thread: Thread | null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private queuedEvents = 0;
  private latestStats: GroupCommitStats = { commits: 0, items: 0, failures: 0 };
  private closed = false;
  private lastStart = 0;
  private readonly maxQueuedEvents: number;

  /** Starts the thread on a store file EventStore.open already created and migrated. */
  constructor(
    private readonly file: string,
    private readonly options: StoreWriterOptions,
    private readonly hooks: ThreadedWriterHooks = {},
  ) {
    this.maxQueuedEvents = hooks.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS;
    this.thread = this.start();
  }

  append(batch: IngestBatch): Promise<AppendOutcome> {
    const weight = batch.accepted.length + batch.rejected.length;
    if (this.queuedEvents > 0 && this.queuedEvents + weight > this.maxQueuedEvents) {
      return Promise.reject(new StoreUnavailableError('too many deliveries are waiting for the disk; retry later', { storeWide: false }));
    }
    return this.call({ op: 'append', batch }, weight) as Promise<AppendOutcome>;
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
    const thread = this.beginClose();
    if (thread === null) return;
    const result = Atomics.wait(thread.state, 0, WriterState.ready, CLOSE_TIMEOUT_MS);
    if (result === 'timed-out') void thread.worker.terminate();
  }

  async closeAsync(): Promise<void> {
    const thread = this.beginClose();
    if (thread === null) return;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed-out'>((resolve) => {
      timer = setTimeout(() => resolve('timed-out'), CLOSE_TIMEOUT_MS);
    });
    const result = await Promise.race([once(thread.worker, 'exit').then(() => 'exited' as const), timedOut]);
    clearTimeout(timer);
    if (result === 'timed-out') await thread.worker.terminate();
  }

  /** Marks the writer closed and asks a live thread to close; returns that thread, if any. */
  private beginClose(): Thread | null {
    if (this.closed) return null;
    this.closed = true;
    const thread = this.thread;
    if (thread === null || Atomics.load(thread.state, 0) !== WriterState.ready) return null;
    thread.worker.ref(); // until it has closed the connection
    thread.worker.postMessage({ id: 0, op: 'close' } satisfies WriterRequest);
    return thread;
  }

  /** Starts a thread and waits until it opened the store. Throws StoreUnavailableError if it cannot. */
  private start(): Thread {
    this.lastStart = Date.now();
    const { script, entry } = writerThreadScript();
    const stateBuffer = new SharedArrayBuffer(4);
    const setup = new MessageChannel();
    const workerData: WriterThreadData = { file: this.file, options: this.options, state: stateBuffer, setup: setup.port2, ...(entry ? { entry } : {}) };
    const worker = new Worker(script, { workerData, transferList: [setup.port2] });
    const state = new Int32Array(stateBuffer);
    Atomics.wait(state, 0, WriterState.starting, OPEN_TIMEOUT_MS);
    const reached = Atomics.load(state, 0);
    if (reached !== WriterState.ready) {
      const reason = receiveMessageOnPort(setup.port1)?.message as SerializedError | undefined;
      setup.port1.close();
      void worker.terminate();
      const message = reason?.message ?? (reached === WriterState.starting ? 'the store writer did not start in time' : 'the store writer could not start');
      throw new StoreUnavailableError(message, { storeWide: true });
    }
    setup.port1.close();
    worker.unref();
    const thread: Thread = { worker, state };
    worker.on('message', (reply: WriterReply) => this.onReply(reply));
    worker.on('error', (error) => this.onThreadGone(thread, `the store writer failed: ${error.message}`));
    worker.on('exit', () => this.onThreadGone(thread, 'the store writer stopped'));
    return thread;
  }

  /** The thread to send to: the live one, or a new one after a death (once per cooldown). */
  private liveThread(): Thread {
    if (this.closed) throw storeClosedError();
    if (this.thread !== null) return this.thread;
    if (Date.now() - this.lastStart < (this.hooks.restartCooldownMs ?? DEFAULT_RESTART_COOLDOWN_MS)) {
      throw new StoreUnavailableError('the store writer is restarting; retry later', { storeWide: true });
    }
    this.thread = this.start();
    return this.thread;
  }

  private call(body: RequestBody, weight = 0): Promise<unknown> {
    let thread: Thread;
    try {
      thread = this.liveThread();
    } catch (error) {
      return Promise.reject(error);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      try {
        thread.worker.postMessage({ ...body, id } as WriterRequest);
      } catch (error) {
        reject(new StoreUnavailableError('could not hand the delivery to the store writer', { cause: error, storeWide: false }));
        return;
      }
      if (this.pending.size === 0) thread.worker.ref();
      this.pending.set(id, { resolve, reject, weight });
      this.queuedEvents += weight;
    });
  }

  private onReply(reply: WriterReply): void {
    if (reply.stats !== null) this.latestStats = reply.stats;
    const pending = this.settle(reply.id);
    if (pending === undefined) return;
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(rebuildError(reply.error));
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (pending === undefined) return undefined;
    this.pending.delete(id);
    this.queuedEvents -= pending.weight;
    if (this.pending.size === 0) this.thread?.worker.unref();
    return pending;
  }

  /** A thread is gone (closed, crashed, terminated): fail what it still owed; a later call restarts it. */
  private onThreadGone(thread: Thread, message: string): void {
    if (this.thread !== thread) return;
    this.thread = null;
    const error = this.closed ? storeClosedError() : new StoreUnavailableError(message, { storeWide: true });
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
    if (!this.closed) this.hooks.onFailure?.(message);
  }
}

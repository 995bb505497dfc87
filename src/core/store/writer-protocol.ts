/**
 * Messages between EventStore (main thread) and its writer thread (writer-thread.ts).
 *
 * Both ends are this program, so messages are typed, not schema-checked: nothing from outside
 * reaches this channel except deliveries the receiver already parsed and validated. Errors cross
 * as name and message only (structured clone drops class identity), and are rebuilt on the main
 * side into the classes callers test for (StoreUnavailableError, RangeError).
 */
import type { MessagePort } from 'node:worker_threads';
import type { RetentionSettings } from '../../shared/contract.js';
import type { IngestBatch } from '../receiver/ingest-port.js';
import type { GroupCommitStats } from './group-commit.js';
import type { StoreWriterOptions } from './store-writer.js';

/**
 * The thread's life, in an Int32Array over `WriterThreadData.state` (index 0), so the main thread
 * can wait for it synchronously (Atomics.wait): at open, and at close.
 */
export const WriterState = { starting: 0, ready: 1, openFailed: 2, closed: 3 } as const;

export interface WriterThreadData {
  file: string;
  options: StoreWriterOptions;
  state: SharedArrayBuffer;
  /** Where the thread reports why it could not open the store (read with receiveMessageOnPort). */
  setup: MessagePort;
  /** Source mode only (tsx, vitest): the TypeScript entry the boot script imports. */
  entry?: string;
}

export type WriterRequest =
  | { id: number; op: 'append'; batch: IngestBatch }
  | { id: number; op: 'applyRetention'; now: string | null }
  | { id: number; op: 'clearOlderThan'; isoTime: string }
  | { id: number; op: 'setRetention'; settings: RetentionSettings }
  | { id: number; op: 'close' };

export interface SerializedError {
  name: string;
  message: string;
  storeWide: boolean;
}

export type WriterReply =
  | { id: number; ok: true; value: unknown; stats: GroupCommitStats | null }
  | { id: number; ok: false; error: SerializedError; stats: GroupCommitStats | null };

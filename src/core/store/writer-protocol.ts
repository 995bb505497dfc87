/**
 * Messages between EventStore (main thread) and its writer thread (writer-thread.ts).
 *
 * Both ends are this program, so messages are typed, not schema-checked: nothing from outside
 * reaches this channel except deliveries the receiver already parsed and validated. Errors cross
 * as name and message only (structured clone drops class identity), and are rebuilt on the main
 * side into the classes callers test for (StoreUnavailableError, RangeError).
 */
import type { RetentionSettings } from '../../shared/contract.js';
import type { IngestBatch } from '../receiver/ingest-port.js';
import type { GroupCommitStats } from './group-commit.js';
import type { StoreWriterOptions } from './store-writer.js';

export interface WriterThreadData {
  file: string;
  options: StoreWriterOptions;
  /** Int32Array over it: the thread stores 1 and notifies once its connection is closed. */
  closedSignal: SharedArrayBuffer;
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

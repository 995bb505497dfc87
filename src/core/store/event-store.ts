/**
 * Flowscope's durable store (DESIGN.md section 6): raw CloudEvents in SQLite (WAL), with an
 * `executions` projection for lists, retention, and the IngestPort the receiver commits through.
 *
 * Invariants:
 * - `append`/`ingest` resolve only after their transaction committed (group commit: concurrent
 *   calls share one transaction and one fsync); with the default `full` durability the commit is
 *   fsynced, so an acknowledged event survives kill -9 and power loss. They reject with
 *   StoreUnavailableError (and nothing of the batch is written) when the store is closed or the
 *   write fails, so the receiver answers 503 and Twilio retries. A failure of the database as a
 *   whole (locked by another connection, disk full, I/O error) fails the whole group after one
 *   attempt; a commit waits at most the short busy timeout for a lock, since it blocks the loop.
 * - The CloudEvent id is the idempotency key; replaying any set of events changes nothing.
 * - Another process may write the same file (the import CLI next to a running `serve`): SQLite's
 *   `data_version` tells the writer to drop its cache; counts are kept by triggers in the file.
 * - All writes go through one StoreWriter (store-writer.ts): on this thread, sharing the
 *   connection, or in a writer thread with a connection of its own (`writerThread`). Reads use
 *   this thread's connection; in WAL mode they see every commit the writer acknowledged.
 * - A long read that yields between pages (export) runs in `withReadSnapshot`, on a connection of
 *   its own (read-snapshot.ts), so commits made meanwhile cannot move or add rows under its cursor.
 * Security: the store holds only events Twilio sent and rejected items; no credentials are ever
 * written here, so nothing read from it (lists, exports) can carry one. It does hold phone numbers
 * and message bodies: on POSIX the data dir is created 0700 and the database files are kept 0600
 * (store-files.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { IngestBatch, IngestPort } from '../receiver/ingest-port.js';
import type { ExecutionFilter, RejectedRecord, RetentionSettings, StoredEventRecord } from '../../shared/contract.js';
import type { ExecutionTree, FlowSummary } from '../../shared/execution-model.js';
import { retentionSchema } from '../../shared/contract.js';
import type { AppendOutcome } from './append-commit.js';
import type { ExecutionCacheLimits } from './execution-cache.js';
import * as queries from './execution-queries.js';
import type { GroupCommitStats } from './group-commit.js';
import { buildTree, parseEventRows, rebuildAllProjections } from './projection.js';
import { ReadSnapshotConnection, type ExecutionWithRawEvents, type ReadSnapshot } from './read-snapshot.js';
import * as retention from './retention.js';
import { textOf } from './row-reader.js';
import { createPrivateFile, restrictDatabaseFiles } from './store-files.js';
import { describeError, storeClosedError, StoreUnavailableError } from './store-errors.js';
import { StoreWriter, type StoreWriteSide, type StoreWriterOptions } from './store-writer.js';
import { ThreadedStoreWriter } from './writer-thread-client.js';
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  openDatabase,
  PROJECTION_VERSION,
  readSetting,
  readStoreCounts,
  writeSetting,
  type StoreCounts,
  type Durability,
  useRuntimeBusyTimeout,
  type SqliteDatabase,
} from './store-schema.js';

export type { AppendOutcome } from './append-commit.js';
export type { ExecutionCursor, ExecutionPage } from './execution-queries.js';
export type { GroupCommitStats } from './group-commit.js';
export type { DeleteCounts } from './retention.js';
export type { Durability } from './store-schema.js';
export { DEFAULT_BUSY_TIMEOUT_MS } from './store-schema.js';
export type { ExecutionCacheLimits } from './execution-cache.js';
export type { ExecutionWithRawEvents, ReadSnapshot } from './read-snapshot.js';
export { StoreUnavailableError, ImportFormatError } from './store-errors.js';
export { DEFAULT_RETENTION } from './retention.js';
export { writeExport, exportToString, exportFileName } from './export-writer.js';
export type { ExportSink, ExportOptions, ExportCounts } from './export-writer.js';
export { importFromText, importFromFile } from './import-reader.js';

export const STORE_FILE_NAME = 'flowscope.db';
export { DEFAULT_MAX_EVENTS_PER_COMMIT } from './store-writer.js';

export interface EventStoreOptions {
  /** `full` (default): fsync on every commit. `normal`: survives kill -9, not power loss. */
  durability?: Durability;
  cacheLimits?: ExecutionCacheLimits;
  /**
   * How long a commit waits for a write lock held by another connection (default
   * DEFAULT_BUSY_TIMEOUT_MS). The wait blocks the event loop, so keep it short.
   */
  busyTimeoutMs?: number;
  /** Upper bound of events per group-commit transaction (default DEFAULT_MAX_EVENTS_PER_COMMIT). */
  maxEventsPerCommit?: number;
  /**
   * Commit in a worker thread (writer-thread.ts) instead of on the caller's thread: SQLite's
   * synchronous inserts and fsyncs then run beside the HTTP server rather than blocking it.
   * `serve` and the desktop app turn it on; reads stay on the caller's thread either way.
   */
  writerThread?: boolean;
  /** Told when the writer thread died (its writes then fail with 503 until it restarts). */
  onWriterFailure?: (message: string) => void;
  /** With a writer thread: events waiting for their commit beyond which appends get 503 at once. */
  maxQueuedEvents?: number;
}

export class EventStore implements IngestPort {
  private db: SqliteDatabase | null;
  private readonly writer: StoreWriteSide;
  private readonly busyTimeoutMs: number;
  private readonly readSnapshots = new Set<ReadSnapshotConnection>();

  private constructor(
    db: SqliteDatabase,
    readonly file: string,
    options: EventStoreOptions,
  ) {
    this.db = db;
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const writerOptions: StoreWriterOptions = {
      durability: options.durability ?? 'full',
      ...(options.cacheLimits ? { cacheLimits: options.cacheLimits } : {}),
      ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
      ...(options.maxEventsPerCommit !== undefined ? { maxEventsPerCommit: options.maxEventsPerCommit } : {}),
    };
    this.writer = options.writerThread
      ? new ThreadedStoreWriter(file, writerOptions, {
          ...(options.onWriterFailure ? { onFailure: options.onWriterFailure } : {}),
          ...(options.maxQueuedEvents !== undefined ? { maxQueuedEvents: options.maxQueuedEvents } : {}),
        })
      : new StoreWriter(db, writerOptions, false);
  }

  /** Opens (creating if needed) `dataDir/flowscope.db`. Throws StoreUnavailableError if it cannot. */
  static open(dataDir: string, options: EventStoreOptions = {}): EventStore {
    const file = path.join(dataDir, STORE_FILE_NAME);
    let db: SqliteDatabase | null = null;
    try {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      createPrivateFile(file);
      db = openDatabase(file, options.durability ?? 'full');
      restrictDatabaseFiles(file);
      ensureProjectionsCurrent(db);
      useRuntimeBusyTimeout(db, options.busyTimeoutMs);
      return new EventStore(db, file, options);
    } catch (error) {
      db?.close();
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`cannot open the store at ${file}: ${describeError(error)}`, { cause: error });
    }
  }

  get isOpen(): boolean {
    return this.db !== null;
  }

  /** Commits a parsed delivery (group commit). Resolves after the commit, rejects with StoreUnavailableError. */
  append(batch: IngestBatch): Promise<AppendOutcome> {
    if (this.db === null) return Promise.reject(storeClosedError());
    return this.writer.append(batch);
  }

  /** IngestPort: the receiver's durable sink. */
  ingest(batch: IngestBatch): Promise<AppendOutcome> {
    return this.append(batch);
  }

  /** Transactions and batches committed so far (group commit makes commits < batches). */
  get commitStats(): Readonly<GroupCommitStats> {
    return this.writer.commitStats;
  }

  /** Stored events and executions, committed by any connection (trigger-kept: O(1)). */
  counts(): StoreCounts {
    return readStoreCounts(this.database());
  }

  listFlows(flowSids?: readonly string[]): FlowSummary[] {
    return queries.listFlows(this.database(), flowSids);
  }

  /** Executions matching the filter, newest first (start time desc, then execution sid desc). */
  listExecutions(filter: ExecutionFilter = {}, offset = 0, limit = 200): queries.ExecutionPage {
    return queries.listExecutions(this.database(), filter, offset, limit);
  }

  /** Keyset paging over the same order as listExecutions, stable while rows are added. */
  pageExecutions(filter: ExecutionFilter, cursor: queries.ExecutionCursor | null, limit: number) {
    return queries.pageExecutions(this.database(), filter, cursor, limit);
  }

  getExecution(executionSid: string): { tree: ExecutionTree; events: StoredEventRecord[] } | null {
    const rows = queries.executionEventRows(this.database(), executionSid);
    if (rows.length === 0) return null;
    return { tree: buildTree(parseEventRows(rows)), events: rows.map(queries.storedEventRecord) };
  }

  getExecutionWithRawEvents(executionSid: string): ExecutionWithRawEvents | null {
    const rows = queries.executionEventRows(this.database(), executionSid);
    if (rows.length === 0) return null;
    return { tree: buildTree(parseEventRows(rows)), rawEvents: rows.map((row) => textOf(row, 'body')) };
  }

  /** Raw events that belong to no execution, oldest first; pass `next` back to continue. */
  pageOtherEvents(after: number, limit: number): { rawEvents: string[]; next: number | null } {
    return queries.pageOtherEvents(this.database(), after, limit);
  }

  /**
   * Runs `read` against one read snapshot (read-snapshot.ts): all it reads is the store as it was
   * at this call, while appends go on committing. The snapshot is pinned before this returns and
   * released when `read` settles, resolved or rejected; close() releases it early (its later reads
   * then throw StoreUnavailableError). Rejects with StoreUnavailableError when the store is closed.
   */
  async withReadSnapshot<T>(read: (snapshot: ReadSnapshot) => Promise<T>): Promise<T> {
    if (this.db === null) throw storeClosedError();
    const snapshot = ReadSnapshotConnection.open(this.file, this.busyTimeoutMs);
    this.readSnapshots.add(snapshot);
    try {
      return await read(snapshot);
    } finally {
      this.readSnapshots.delete(snapshot);
      snapshot.close();
    }
  }

  /** Read snapshots open now: 0 whenever no export runs (for diagnostics and tests). */
  get openReadSnapshots(): number {
    return this.readSnapshots.size;
  }

  listRejected(limit = 100): RejectedRecord[] {
    return queries.listRejected(this.database(), limit);
  }

  getRetention(): RetentionSettings {
    return retention.getRetention(this.database());
  }

  /** Validates (retentionSchema, throws on bad settings) and saves them; call applyRetention to enforce them now. */
  async setRetention(settings: RetentionSettings): Promise<RetentionSettings> {
    const parsed = retentionSchema.parse(settings);
    this.database();
    return this.writer.setRetention(parsed);
  }

  /** Enforces the saved settings; ages by the later of event time and receipt (see retention.ts). */
  async applyRetention(now?: Date): Promise<retention.DeleteCounts> {
    this.database();
    return this.writer.applyRetention(now);
  }

  /** Deletes executions whose latest activity (event time) is before `isoTime`, and older events of no execution. */
  async clearOlderThan(isoTime: string): Promise<retention.DeleteCounts> {
    this.database();
    return this.writer.clearOlderThan(isoTime);
  }

  /** Commits what is queued, then closes. Later calls fail with StoreUnavailableError. Idempotent. */
  close(): void {
    if (this.db === null) return;
    const db = this.detach();
    this.writer.close();
    db.close();
  }

  /** close() that does not block this thread while a writer thread commits what is queued. */
  async closeAsync(): Promise<void> {
    if (this.db === null) return;
    const db = this.detach();
    await this.writer.closeAsync();
    db.close();
  }

  /** Makes every later call fail as closed and ends the read snapshots; returns the connection. */
  private detach(): SqliteDatabase {
    const db = this.database();
    this.db = null;
    for (const snapshot of this.readSnapshots) snapshot.close();
    this.readSnapshots.clear();
    return db;
  }

  private database(): SqliteDatabase {
    if (this.db === null) throw storeClosedError();
    return this.db;
  }
}

/** Rebuilds the projection when it was built by another PROJECTION_VERSION (raw events are the truth). */
function ensureProjectionsCurrent(db: SqliteDatabase): void {
  const key = 'projection_version';
  if (readSetting(db, key) === String(PROJECTION_VERSION)) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    rebuildAllProjections(db);
    writeSetting(db, key, String(PROJECTION_VERSION));
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

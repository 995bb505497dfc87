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
 *   `data_version` tells, and the cache and counters are then rebuilt before they are used.
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
import { commitGroup, type AppendOutcome } from './append-commit.js';
import { DEFAULT_CACHE_LIMITS, ExecutionEventsCache, type ExecutionCacheLimits } from './execution-cache.js';
import * as queries from './execution-queries.js';
import { GroupCommitter, type GroupCommitStats } from './group-commit.js';
import { buildTree, countRows, parseEventRows, rebuildAllProjections } from './projection.js';
import { ReadSnapshotConnection, type ExecutionWithRawEvents, type ReadSnapshot } from './read-snapshot.js';
import * as retention from './retention.js';
import { textOf } from './row-reader.js';
import { createPrivateFile, restrictDatabaseFiles } from './store-files.js';
import { describeError, isStoreWideFailure, storeClosedError, StoreUnavailableError } from './store-errors.js';
import {
  DEFAULT_BUSY_TIMEOUT_MS,
  openDatabase,
  PROJECTION_VERSION,
  readSetting,
  writeSetting,
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
/**
 * A commit blocks the event loop (the binding is synchronous): bounding a group keeps a flood from
 * stalling the receiver's other requests for seconds (a few hundred ms at most on a slow machine).
 */
export const DEFAULT_MAX_EVENTS_PER_COMMIT = 2_000;

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
}

export class EventStore implements IngestPort {
  private db: SqliteDatabase | null;
  private readonly cache: ExecutionEventsCache;
  private readonly committer: GroupCommitter<IngestBatch, AppendOutcome>;
  private readonly busyTimeoutMs: number;
  private readonly readSnapshots = new Set<ReadSnapshotConnection>();
  private storedEvents = 0;
  private executionCount = 0;
  /** `PRAGMA data_version` when the counters and cache were last known right. */
  private seenDataVersion = -1;

  private constructor(
    db: SqliteDatabase,
    readonly file: string,
    options: EventStoreOptions,
  ) {
    this.db = db;
    this.cache = new ExecutionEventsCache(options.cacheLimits ?? DEFAULT_CACHE_LIMITS);
    this.busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    this.syncWithOtherWriters(db);
    this.committer = new GroupCommitter((batches) => this.commitBatches(batches), {
      maxGroupWeight: options.maxEventsPerCommit ?? DEFAULT_MAX_EVENTS_PER_COMMIT,
      weightOf: (batch) => batch.accepted.length + batch.rejected.length,
      failsEveryItem: isStoreWideFailure,
    });
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
    } catch (error) {
      db?.close();
      throw new StoreUnavailableError(`cannot open the store at ${file}: ${describeError(error)}`, { cause: error });
    }
    return new EventStore(db, file, options);
  }

  get isOpen(): boolean {
    return this.db !== null;
  }

  /** Commits a parsed delivery (group commit). Resolves after the commit, rejects with StoreUnavailableError. */
  append(batch: IngestBatch): Promise<AppendOutcome> {
    if (this.db === null) return Promise.reject(storeClosedError());
    return this.committer.submit(batch);
  }

  /** IngestPort: the receiver's durable sink. */
  ingest(batch: IngestBatch): Promise<AppendOutcome> {
    return this.append(batch);
  }

  /** Transactions and batches committed so far (group commit makes commits < batches). */
  get commitStats(): Readonly<GroupCommitStats> {
    return { ...this.committer.stats };
  }

  counts(): { storedEvents: number; executions: number } {
    this.syncWithOtherWriters(this.database());
    return { storedEvents: this.storedEvents, executions: this.executionCount };
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
    return { tree: this.treeOfRows(executionSid, rows), events: rows.map(queries.storedEventRecord) };
  }

  getExecutionWithRawEvents(executionSid: string): ExecutionWithRawEvents | null {
    const rows = queries.executionEventRows(this.database(), executionSid);
    if (rows.length === 0) return null;
    return { tree: this.treeOfRows(executionSid, rows), rawEvents: rows.map((row) => textOf(row, 'body')) };
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

  /** Validates (retentionSchema) and saves the settings; call applyRetention to enforce them now. */
  setRetention(settings: RetentionSettings): RetentionSettings {
    return retention.setRetention(this.database(), settings);
  }

  /** Enforces the saved settings; ages by the later of event time and receipt (see retention.ts). */
  applyRetention(now?: Date): Promise<retention.DeleteCounts> {
    return retention.applyRetention(this.retentionHost(), now);
  }

  /** Deletes executions whose latest activity (event time) is before `isoTime`, and older events of no execution. */
  clearOlderThan(isoTime: string): Promise<retention.DeleteCounts> {
    return retention.clearOlderThan(this.retentionHost(), isoTime);
  }

  /** Commits what is queued, then closes. Later calls fail with StoreUnavailableError. Idempotent. */
  close(): void {
    if (this.db === null) return;
    this.committer.flushAll();
    const db = this.db;
    this.db = null;
    this.cache.clear();
    for (const snapshot of this.readSnapshots) snapshot.close();
    this.readSnapshots.clear();
    db.close();
  }

  private database(): SqliteDatabase {
    if (this.db === null) throw storeClosedError();
    return this.db;
  }

  private commitBatches(batches: readonly IngestBatch[]): AppendOutcome[] {
    const db = this.database();
    try {
      const effect = commitGroup({ db, cache: this.cache, onTransactionStart: () => this.syncWithOtherWriters(db) }, batches);
      this.storedEvents += effect.insertedEvents;
      this.executionCount += effect.newExecutions;
      return effect.outcomes;
    } catch (error) {
      throw new StoreUnavailableError(`could not commit events: ${describeError(error)}`, { cause: error });
    }
  }

  /** Drops the cache and recounts when another connection committed since we last looked. */
  private syncWithOtherWriters(db: SqliteDatabase): void {
    const version = countRows(db, 'SELECT data_version AS n FROM pragma_data_version');
    if (version === this.seenDataVersion) return;
    this.cache.clear();
    this.storedEvents = countRows(db, 'SELECT count(*) AS n FROM events');
    this.executionCount = countRows(db, 'SELECT count(*) AS n FROM executions');
    this.seenDataVersion = version;
  }

  private treeOfRows(executionSid: string, rows: Parameters<typeof parseEventRows>[0]): ExecutionTree {
    const cached = this.cache.get(executionSid);
    if (cached !== undefined && cached.size === rows.length) return buildTree(cached);
    const events = parseEventRows(rows);
    this.cache.set(executionSid, events);
    return buildTree(events);
  }

  private retentionHost(): retention.RetentionHost {
    return {
      database: () => this.database(),
      storedEvents: () => this.storedEvents,
      onDeleted: (executionSids, deletedEvents) => {
        for (const sid of executionSids) this.cache.delete(sid);
        this.storedEvents -= deletedEvents;
        this.executionCount -= executionSids.length;
      },
    };
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

/**
 * The write side of the store: the one connection that commits deliveries (group commit), runs
 * retention and saves settings, with the parsed-event cache the projection is built from.
 *
 * It runs either on the caller's thread, sharing the store's connection (`EventStore` without a
 * writer thread), or alone in a worker thread (writer-thread.ts) with a connection of its own,
 * so that SQLite's synchronous inserts and fsyncs no longer hold the thread that serves HTTP.
 * Both run this same code.
 *
 * Invariants:
 * - Every write of the store goes through one StoreWriter: one writer connection, so commits are
 *   serialized in submission order and never wait on a lock held by the same process.
 * - `append` resolves only after its transaction committed (see append-commit.ts, group-commit.ts);
 *   it rejects with StoreUnavailableError when the store is closed or the write failed.
 * - The parsed-event cache holds only committed state: when another connection (the import CLI
 *   next to `serve`) committed since we last looked (`PRAGMA data_version`), it is dropped before
 *   the next commit reads it. Counts are never kept here: triggers keep them in the file.
 */
import type { RetentionSettings } from '../../shared/contract.js';
import type { IngestBatch } from '../receiver/ingest-port.js';
import { commitGroup, type AppendOutcome } from './append-commit.js';
import { DEFAULT_CACHE_LIMITS, ExecutionEventsCache, type ExecutionCacheLimits } from './execution-cache.js';
import { GroupCommitter, type GroupCommitStats } from './group-commit.js';
import { countRows } from './projection.js';
import * as retention from './retention.js';
import { describeError, isStoreWideFailure, storeClosedError, StoreUnavailableError } from './store-errors.js';
import {
  forgetPreparedStatements,
  openDatabase,
  readStoreCounts,
  useRuntimeBusyTimeout,
  WRITER_THREAD_CHECKPOINT_PAGES,
  type Durability,
  type SqliteDatabase,
} from './store-schema.js';

/**
 * A commit blocks the thread it runs on (the binding is synchronous): bounding a group keeps a
 * flood from stalling everything else that thread does for seconds.
 */
export const DEFAULT_MAX_EVENTS_PER_COMMIT = 2_000;

export interface StoreWriterOptions {
  /** `full` (default): fsync on every commit. `normal`: survives kill -9, not power loss. */
  durability?: Durability;
  cacheLimits?: ExecutionCacheLimits;
  /** How long a commit waits for a write lock held by another connection (store-schema.ts). */
  busyTimeoutMs?: number;
  /** Upper bound of events per group-commit transaction (default DEFAULT_MAX_EVENTS_PER_COMMIT). */
  maxEventsPerCommit?: number;
}

/** What EventStore needs of its write side, wherever that runs. */
export interface StoreWriteSide {
  append(batch: IngestBatch): Promise<AppendOutcome>;
  applyRetention(now?: Date): Promise<retention.DeleteCounts>;
  clearOlderThan(isoTime: string): Promise<retention.DeleteCounts>;
  /** Saves settings already validated by the caller (retentionSchema). */
  setRetention(settings: RetentionSettings): Promise<RetentionSettings>;
  readonly commitStats: Readonly<GroupCommitStats>;
  /** Commits what is queued, then stops; later writes fail with StoreUnavailableError. Idempotent. */
  close(): void;
  /** close() without blocking the calling thread while a writer thread finishes. */
  closeAsync(): Promise<void>;
}

export class StoreWriter implements StoreWriteSide {
  private db: SqliteDatabase | null;
  private readonly cache: ExecutionEventsCache;
  private readonly committer: GroupCommitter<IngestBatch, AppendOutcome>;
  /** `PRAGMA data_version` when the cache was last known right. */
  private seenDataVersion = -1;

  /**
   * Writes through `db`. With `ownsConnection` the writer closes it on close; otherwise its owner
   * (an EventStore reading through the same connection) does.
   */
  constructor(
    db: SqliteDatabase,
    options: StoreWriterOptions,
    private readonly ownsConnection: boolean,
  ) {
    this.db = db;
    this.cache = new ExecutionEventsCache(options.cacheLimits ?? DEFAULT_CACHE_LIMITS);
    this.syncWithOtherWriters(db);
    this.committer = new GroupCommitter((batches) => this.commitBatches(batches), {
      maxGroupWeight: options.maxEventsPerCommit ?? DEFAULT_MAX_EVENTS_PER_COMMIT,
      weightOf: (batch) => batch.accepted.length + batch.rejected.length,
      failsEveryItem: isStoreWideFailure,
    });
  }

  /**
   * Opens a connection of its own (the writer thread's) to a store file that EventStore.open
   * already created and migrated.
   */
  static open(file: string, options: StoreWriterOptions): StoreWriter {
    let db: SqliteDatabase | null = null;
    try {
      db = openDatabase(file, options.durability ?? 'full', WRITER_THREAD_CHECKPOINT_PAGES);
      useRuntimeBusyTimeout(db, options.busyTimeoutMs);
      return new StoreWriter(db, options, true);
    } catch (error) {
      db?.close();
      throw new StoreUnavailableError(`cannot open the store at ${file}: ${describeError(error)}`, { cause: error });
    }
  }

  append(batch: IngestBatch): Promise<AppendOutcome> {
    if (this.db === null) return Promise.reject(storeClosedError());
    return this.committer.submit(batch);
  }

  get commitStats(): Readonly<GroupCommitStats> {
    return { ...this.committer.stats };
  }

  applyRetention(now?: Date): Promise<retention.DeleteCounts> {
    return retention.applyRetention(this.retentionHost(), now);
  }

  clearOlderThan(isoTime: string): Promise<retention.DeleteCounts> {
    return retention.clearOlderThan(this.retentionHost(), isoTime);
  }

  async setRetention(settings: RetentionSettings): Promise<RetentionSettings> {
    return retention.setRetention(this.database(), settings);
  }

  close(): void {
    if (this.db === null) return;
    this.committer.flushAll();
    const db = this.db;
    this.db = null;
    this.cache.clear();
    if (this.ownsConnection) {
      forgetPreparedStatements(db);
      db.close();
    }
  }

  async closeAsync(): Promise<void> {
    this.close();
  }

  private database(): SqliteDatabase {
    if (this.db === null) throw storeClosedError();
    return this.db;
  }

  private commitBatches(batches: readonly IngestBatch[]): AppendOutcome[] {
    const db = this.database();
    try {
      return commitGroup({ db, cache: this.cache, onTransactionStart: () => this.syncWithOtherWriters(db) }, batches);
    } catch (error) {
      throw new StoreUnavailableError(`could not commit events: ${describeError(error)}`, { cause: error });
    }
  }

  /** Drops the cache when another connection committed since we last looked. */
  private syncWithOtherWriters(db: SqliteDatabase): void {
    const version = countRows(db, 'SELECT data_version AS n FROM pragma_data_version');
    if (version === this.seenDataVersion) return;
    this.cache.clear();
    this.seenDataVersion = version;
  }

  private retentionHost(): retention.RetentionHost {
    return {
      database: () => this.database(),
      storedEvents: () => readStoreCounts(this.database()).storedEvents,
      onExecutionsDeleted: (executionSids) => {
        for (const sid of executionSids) this.cache.delete(sid);
      },
    };
  }
}

/**
 * A read snapshot of the store: a second SQLite connection to the same file holding one read
 * transaction, so that a long paged read (an export, which yields to the event loop between pages
 * while ingest goes on committing on the store's own connection) sees the store as it was at one
 * moment: no execution twice, none missed, no event committed after that moment.
 *
 * Invariants:
 * - Isolation comes from WAL mode: a read transaction sees the database as of its first read,
 *   whatever other connections commit meanwhile, and it blocks no writer. `open` begins the
 *   (deferred) transaction and pins it with a first read at once, so the snapshot is the store at
 *   the call to `open`, not at the first page read later.
 * - It must be a separate connection: a transaction on the store's own connection would swallow
 *   the commits of ingest (group commit) into it.
 * - Read-only: `PRAGMA query_only` makes any write fail (libsql 0.5 ignores the `readonly` open
 *   option, so that is not relied on).
 * - Trees are built from the snapshot's own rows, never through the store's execution cache, which
 *   follows the live connection and may hold a later state of the same execution.
 * - `close` ends the transaction and the connection; idempotent. A read after it throws
 *   StoreUnavailableError ("the store is closed"): EventStore.close closes open snapshots too.
 * Cost: while a snapshot is open, checkpoints cannot copy WAL frames committed after it into the
 * database file nor restart the WAL, so the -wal file grows by what ingest commits meanwhile; it
 * is reused once the snapshot ends. A slow export (a slow download) costs disk space for its
 * duration, never correctness or ingest latency; that is accepted.
 * Security: reads only, from the store's own file (0600, store-files.ts); nothing read here can hold
 * a credential (the store never holds one).
 */
import Database from 'libsql';
import type { ExecutionFilter } from '../../shared/contract.js';
import type { ExecutionSummary, ExecutionTree } from '../../shared/execution-model.js';
import * as queries from './execution-queries.js';
import { buildTree, countRows, parseEventRows } from './projection.js';
import { textOf } from './row-reader.js';
import { describeError, storeClosedError, StoreUnavailableError } from './store-errors.js';
import { forgetPreparedStatements, readStoreCounts, type SqliteDatabase, type StoreCounts } from './store-schema.js';

/** An execution with its raw events as stored (JSON text), for export. */
export interface ExecutionWithRawEvents {
  tree: ExecutionTree;
  rawEvents: string[];
}

/** The reads an export needs, all answered from one moment of the store. */
export interface ReadSnapshot {
  /** Keyset paging, newest first (start time desc, then execution sid desc), as EventStore.pageExecutions. */
  pageExecutions(
    filter: ExecutionFilter,
    cursor: queries.ExecutionCursor | null,
    limit: number,
  ): { items: ExecutionSummary[]; next: queries.ExecutionCursor | null };
  getExecutionWithRawEvents(executionSid: string): ExecutionWithRawEvents | null;
  /** Raw events that belong to no execution, oldest first; pass `next` back to continue. */
  pageOtherEvents(after: number, limit: number): { rawEvents: string[]; next: number | null };
  counts(): StoreCounts;
}

export class ReadSnapshotConnection implements ReadSnapshot {
  private constructor(private db: SqliteDatabase | null) {}

  /** Opens the connection and pins the snapshot. Throws StoreUnavailableError if it cannot. */
  static open(file: string, busyTimeoutMs: number): ReadSnapshotConnection {
    let db: SqliteDatabase | null = null;
    try {
      db = new Database(file);
      // exec, not db.pragma(): a statement left alive would keep the connection open after close
      db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      db.exec('PRAGMA query_only = ON');
      db.exec('BEGIN DEFERRED');
      // a deferred transaction starts reading, and so fixes its snapshot, at its first read
      countRows(db, 'SELECT count(*) AS n FROM sqlite_schema');
      return new ReadSnapshotConnection(db);
    } catch (error) {
      if (db !== null) closeConnection(db);
      throw new StoreUnavailableError(`cannot open a read snapshot of the store: ${describeError(error)}`, { cause: error });
    }
  }

  pageExecutions(filter: ExecutionFilter, cursor: queries.ExecutionCursor | null, limit: number) {
    return queries.pageExecutions(this.database(), filter, cursor, limit);
  }

  getExecutionWithRawEvents(executionSid: string): ExecutionWithRawEvents | null {
    const rows = queries.executionEventRows(this.database(), executionSid);
    if (rows.length === 0) return null;
    return { tree: buildTree(parseEventRows(rows)), rawEvents: rows.map((row) => textOf(row, 'body')) };
  }

  pageOtherEvents(after: number, limit: number): { rawEvents: string[]; next: number | null } {
    return queries.pageOtherEvents(this.database(), after, limit);
  }

  counts(): StoreCounts {
    return readStoreCounts(this.database());
  }

  /** Ends the read transaction and closes the connection. Idempotent. */
  close(): void {
    if (this.db === null) return;
    const db = this.db;
    this.db = null;
    closeConnection(db);
  }

  private database(): SqliteDatabase {
    if (this.db === null) throw storeClosedError();
    return this.db;
  }
}

function closeConnection(db: SqliteDatabase): void {
  try {
    // a read transaction has nothing to commit: ending it releases the snapshot
    if (db.inTransaction) db.exec('ROLLBACK');
  } finally {
    forgetPreparedStatements(db);
    db.close();
  }
}

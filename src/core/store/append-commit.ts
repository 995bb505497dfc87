/**
 * The body of one group-commit transaction: insert the events of several ingest batches, set their
 * rejected items aside, and refresh the projection of every execution that gained an event.
 *
 * Invariants:
 * - All or nothing: one `BEGIN IMMEDIATE ... COMMIT`; on any error the transaction is rolled back,
 *   cache entries it touched are dropped, and the error is rethrown (nothing half-written).
 * - The CloudEvent id is the idempotency key: an id already stored, or seen twice in the group, is
 *   counted as a duplicate and ignored (`INSERT OR IGNORE`).
 * - The raw JSON stored is the CloudEvent as received (`event.raw`, with every unknown field).
 * - Rejected items are stored truncated to MAX_REJECTED_RAW_CHARS so a hostile body cannot fill the disk.
 */
import type { IngestBatch, IngestOutcome } from '../receiver/ingest-port.js';
import type { ExecutionSummary } from '../../shared/execution-model.js';
import { executionSidOf, flowSidOf, type RejectedEvent, type StudioEvent } from '../../shared/studio-event.js';
import type { ExecutionEventsCache } from './execution-cache.js';
import { buildTree, loadExecutionEvents, projectionExists, upsertProjection, type ReceivedRange } from './projection.js';
import { prepared, type SqliteDatabase } from './store-schema.js';

export const MAX_REJECTED_RAW_CHARS = 16 * 1024;

export interface AppendOutcome extends IngestOutcome {
  /** New summaries of the executions this batch added events to (state after the commit). */
  changed: ExecutionSummary[];
  /** Inserted events that belong to no execution (other types and sink test events). */
  otherInserted: number;
  /** Rejected items of the batch that were recorded. */
  rejected: number;
}

export interface AppendContext {
  db: SqliteDatabase;
  cache: ExecutionEventsCache;
  /** Runs inside the transaction, holding the write lock, before anything is read or written. */
  onTransactionStart?: () => void;
}

/**
 * Events per INSERT statement. libsql's binding costs about a microsecond per bound value and a
 * few per call, more than SQLite's own work for a row: one multi-row statement per chunk, with
 * the delivery's receipt time bound once (?1) and the sort time computed from it, halves the cost
 * of storing an event against one statement per event with every column bound.
 */
const ROWS_PER_INSERT = 100;
const VALUES_PER_ROW = 7;
const insertSqlBySize: string[] = [];

/** `INSERT OR IGNORE ... RETURNING id` of `rows` events: the ids it returns are the ones stored now. */
function insertEventsSql(rows: number): string {
  let sql = insertSqlBySize[rows];
  if (sql === undefined) {
    const values = Array.from({ length: rows }, (_, i) => {
      const p = 2 + i * VALUES_PER_ROW;
      // id, kind, type, execution_sid, flow_sid, event_time, received_at, sort_time, body
      return `(?${p}, ?${p + 1}, ?${p + 2}, ?${p + 3}, ?${p + 4}, ?${p + 5}, ?1, coalesce(?${p + 5}, ?1), ?${p + 6})`;
    });
    sql = `INSERT OR IGNORE INTO events (id, kind, type, execution_sid, flow_sid, event_time, received_at, sort_time, body)
      VALUES ${values.join(', ')} RETURNING id`;
    insertSqlBySize[rows] = sql;
  }
  return sql;
}

/** Inserts the events (duplicates ignored) and returns the ids that were new to the table. */
function insertEvents(db: SqliteDatabase, events: readonly StudioEvent[], receivedAt: string): Set<string> {
  const stored = new Set<string>();
  for (let start = 0; start < events.length; start += ROWS_PER_INSERT) {
    const chunk = events.slice(start, start + ROWS_PER_INSERT);
    const values: unknown[] = [receivedAt];
    for (const event of chunk) {
      values.push(event.id, event.kind, event.type, executionSidOf(event), flowSidOf(event), event.time, JSON.stringify(event.raw));
    }
    const rows = prepared(db, insertEventsSql(chunk.length)).raw(true).all(values) as unknown[];
    for (const row of rows) {
      const id = Array.isArray(row) ? (row[0] as unknown) : undefined;
      if (typeof id === 'string') stored.add(id);
    }
  }
  return stored;
}

const INSERT_REJECTED_SQL = 'INSERT INTO rejected (received_at, event_id, reason, raw) VALUES (?, ?, ?, ?)';

interface Touched {
  events: StudioEvent[];
  received: ReceivedRange;
}

/** Commits the batches in one transaction; one outcome per batch, in order. */
export function commitGroup(ctx: AppendContext, batches: readonly IngestBatch[]): AppendOutcome[] {
  const { db } = ctx;
  const touched = new Map<string, Touched>();
  db.exec('BEGIN IMMEDIATE');
  try {
    ctx.onTransactionStart?.();
    const partial = batches.map((batch) => insertBatch(db, batch, touched));
    const summaries = new Map<string, ExecutionSummary>();
    for (const [executionSid, entry] of touched) {
      const events = eventsAfterInsert(ctx, executionSid, entry.events, projectionExists(db, executionSid));
      const summary = buildTree(events).summary;
      upsertProjection(db, summary, entry.received);
      summaries.set(executionSid, summary);
    }
    db.exec('COMMIT');
    ctx.cache.evict();
    return partial.map(({ touchedSids, ...counts }) => ({
      ...counts,
      changed: [...touchedSids].flatMap((sid) => summaries.get(sid) ?? []),
    }));
  } catch (error) {
    try {
      if (db.inTransaction) db.exec('ROLLBACK');
    } catch {
      // the connection is gone or SQLite already rolled back: nothing more to undo
    }
    for (const executionSid of touched.keys()) ctx.cache.delete(executionSid);
    throw error;
  }
}

function insertBatch(db: SqliteDatabase, batch: IngestBatch, touched: Map<string, Touched>) {
  const receivedAt = batch.receivedAt.toISOString();
  const stored = insertEvents(db, batch.accepted, receivedAt);
  const touchedSids = new Set<string>();
  let inserted = 0;
  let duplicates = 0;
  let otherInserted = 0;
  for (const event of batch.accepted) {
    // an id twice in one delivery is stored once: the first occurrence takes it
    if (!stored.delete(event.id)) {
      duplicates++;
      continue;
    }
    inserted++;
    const executionSid = executionSidOf(event);
    if (executionSid === null) {
      otherInserted++;
      continue;
    }
    touchedSids.add(executionSid);
    const entry = touched.get(executionSid);
    if (entry === undefined) touched.set(executionSid, { events: [event], received: { first: receivedAt, last: receivedAt } });
    else {
      entry.events.push(event);
      if (receivedAt < entry.received.first) entry.received.first = receivedAt;
      if (receivedAt > entry.received.last) entry.received.last = receivedAt;
    }
  }
  for (const rejected of batch.rejected) insertRejected(db, receivedAt, rejected);
  return { inserted, duplicates, otherInserted, rejected: batch.rejected.length, touchedSids };
}

/** The full event set of an execution after this transaction's inserts: from the cache or the table. */
function eventsAfterInsert(ctx: AppendContext, executionSid: string, added: readonly StudioEvent[], known: boolean) {
  const cached = ctx.cache.get(executionSid);
  if (cached !== undefined) {
    for (const event of added) ctx.cache.add(executionSid, event);
    return cached;
  }
  // Projection rows are written in the same transaction as their events, so an execution with no
  // row yet has no events but the ones this transaction added: no need to read them back.
  // Otherwise the table already holds this transaction's inserts.
  const events = known ? loadExecutionEvents(ctx.db, executionSid) : new Map(added.map((event) => [event.id, event]));
  ctx.cache.set(executionSid, events);
  return events;
}

function insertRejected(db: SqliteDatabase, receivedAt: string, rejected: RejectedEvent): void {
  prepared(db, INSERT_REJECTED_SQL).run(
    receivedAt,
    rejected.id === null ? null : rejected.id.slice(0, 256),
    rejected.reason.slice(0, 1024),
    truncatedJson(rejected.raw),
  );
}

function truncatedJson(raw: unknown): string {
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : (JSON.stringify(raw) ?? String(raw));
  } catch {
    text = String(raw);
  }
  return text.length > MAX_REJECTED_RAW_CHARS ? `${text.slice(0, MAX_REJECTED_RAW_CHARS)}…[truncated]` : text;
}

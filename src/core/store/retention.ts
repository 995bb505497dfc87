/**
 * Retention: the store is bounded by age and by event count, never by memory.
 *
 * Invariants:
 * - Executions are deleted whole (the row and all its events), never a part of one, so a tree is
 *   never shown with steps missing because of retention.
 * - Two notions of age, on purpose:
 *   - Automatic retention (`applyRetention`: max age, max events) ages a row by when it last
 *     happened OR when Flowscope last got it, whichever is later (`retention_time`: the later of
 *     the last event time and the last receipt; for an event of no execution, of its time and its
 *     receipt). An import's receipt is the import time, so importing an export of executions from
 *     months ago keeps them for max age from the import, instead of deleting them within the hour.
 *     Max-events trimming removes the oldest first in that order, merging executions and events of
 *     no execution into one order.
 *   - The user's explicit "clear older than T" (`clearOlderThan`) goes by event time only: an
 *     execution whose latest activity (last event time, else last receipt) is before T goes, even
 *     if it was imported a minute ago; that is what the user asked for by naming a date.
 *   Either way an execution still receiving events is kept.
 * - Deletes run in chunks of their own transactions, yielding to the event loop in between, so a
 *   huge delete never blocks ingest for seconds; appends simply commit between chunks.
 */
import { retentionSchema, type RetentionSettings } from '../../shared/contract.js';
import { asRows, intOf, textOf } from './row-reader.js';
import { prepared, readSetting, writeSetting, type SqliteDatabase } from './store-schema.js';

export const DEFAULT_RETENTION: RetentionSettings = { maxAgeDays: 30, maxEvents: 1_000_000 };
/** Rejected items are diagnostics: only the newest ones are kept. */
export const MAX_REJECTED_ROWS = 10_000;
const RETENTION_KEY = 'retention';
const EXECUTIONS_PER_CHUNK = 200;
const OTHER_EVENTS_PER_CHUNK = 2_000;
const DAY_MS = 86_400_000;

export interface DeleteCounts {
  deletedEvents: number;
  deletedExecutions: number;
}

/** What retention needs from the store: its connection, its event count, and a hook to keep its cache right. */
export interface RetentionHost {
  /** Throws StoreUnavailableError when the store is closed. */
  database(): SqliteDatabase;
  onExecutionsDeleted(executionSids: readonly string[]): void;
  storedEvents(): number;
}

export function getRetention(db: SqliteDatabase): RetentionSettings {
  const text = readSetting(db, RETENTION_KEY);
  if (text === null) return DEFAULT_RETENTION;
  const parsed = retentionSchema.safeParse(safeJson(text));
  return parsed.success ? parsed.data : DEFAULT_RETENTION;
}

export function setRetention(db: SqliteDatabase, settings: RetentionSettings): RetentionSettings {
  const parsed = retentionSchema.parse(settings);
  writeSetting(db, RETENTION_KEY, JSON.stringify(parsed));
  return parsed;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

function inTransaction<T>(db: SqliteDatabase, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

function deleteExecutions(host: RetentionHost, executionSids: readonly string[]): number {
  const db = host.database();
  const deletedEvents = inTransaction(db, () => {
    let events = 0;
    for (const sid of executionSids) {
      events += prepared(db, 'DELETE FROM events WHERE execution_sid = ?').run(sid).changes;
      prepared(db, 'DELETE FROM executions WHERE execution_sid = ?').run(sid);
    }
    return events;
  });
  host.onExecutionsDeleted(executionSids);
  return deletedEvents;
}

function deleteOtherEvents(host: RetentionHost, ids: readonly string[]): number {
  const db = host.database();
  return inTransaction(db, () => ids.reduce((n, id) => n + prepared(db, 'DELETE FROM events WHERE id = ?').run(id).changes, 0));
}

/**
 * The columns a cut-off compares (see the header), with their indexes: executions_by_last_time /
 * events_other_by_time for event time, executions_by_retention_time / events_other_by_retention_time
 * for the receipt-aware age.
 */
interface AgeColumns {
  execution: 'last_time' | 'retention_time';
  otherEvent: 'sort_time' | 'retention_time';
}
const BY_EVENT_TIME: AgeColumns = { execution: 'last_time', otherEvent: 'sort_time' };
const BY_RETENTION_TIME: AgeColumns = { execution: 'retention_time', otherEvent: 'retention_time' };

/** Deletes executions whose latest activity is before `before`, events of no execution older than it, and rejected items received before it. */
export async function clearOlderThan(host: RetentionHost, before: string): Promise<DeleteCounts> {
  const ms = Date.parse(before);
  if (Number.isNaN(ms)) throw new RangeError(`not a date-time: ${before.slice(0, 64)}`);
  return deleteOlderThan(host, new Date(ms).toISOString(), BY_EVENT_TIME);
}

async function deleteOlderThan(host: RetentionHost, cutoff: string, columns: AgeColumns): Promise<DeleteCounts> {
  const counts: DeleteCounts = { deletedEvents: 0, deletedExecutions: 0 };
  const { execution: executionAge, otherEvent: otherAge } = columns;
  for (;;) {
    const sids = asRows(
      prepared(
        host.database(),
        `SELECT execution_sid FROM executions WHERE ${executionAge} < ? ORDER BY ${executionAge} LIMIT ?`,
      ).all(cutoff, EXECUTIONS_PER_CHUNK),
    ).map((row) => textOf(row, 'execution_sid'));
    if (sids.length === 0) break;
    counts.deletedEvents += deleteExecutions(host, sids);
    counts.deletedExecutions += sids.length;
    await nextTick();
  }
  for (;;) {
    const ids = asRows(
      prepared(
        host.database(),
        `SELECT id FROM events WHERE execution_sid IS NULL AND ${otherAge} < ? ORDER BY ${otherAge} LIMIT ?`,
      ).all(cutoff, OTHER_EVENTS_PER_CHUNK),
    ).map((row) => textOf(row, 'id'));
    if (ids.length === 0) break;
    counts.deletedEvents += deleteOtherEvents(host, ids);
    await nextTick();
  }
  prepared(host.database(), 'DELETE FROM rejected WHERE received_at < ?').run(cutoff);
  return counts;
}

/** Deletes the oldest (by retention_time) executions / other events until at most `maxEvents` events remain. */
export async function trimToMaxEvents(host: RetentionHost, maxEvents: number): Promise<DeleteCounts> {
  const counts: DeleteCounts = { deletedEvents: 0, deletedExecutions: 0 };
  while (host.storedEvents() > maxEvents) {
    const db = host.database();
    const executions = asRows(
      prepared(
        db,
        'SELECT execution_sid, retention_time, event_count FROM executions ORDER BY retention_time, execution_sid LIMIT ?',
      ).all(EXECUTIONS_PER_CHUNK),
    );
    const others = asRows(
      prepared(db, 'SELECT id, retention_time FROM events WHERE execution_sid IS NULL ORDER BY retention_time LIMIT ?').all(
        OTHER_EVENTS_PER_CHUNK,
      ),
    );
    if (executions.length === 0 && others.length === 0) break;
    // merge both oldest-first lists and take units until enough events would be gone
    let excess = host.storedEvents() - maxEvents;
    const sids: string[] = [];
    const ids: string[] = [];
    let e = 0;
    let o = 0;
    while (excess > 0 && (e < executions.length || o < others.length)) {
      const execution = executions[e];
      const other = others[o];
      if (
        execution !== undefined &&
        (other === undefined || textOf(execution, 'retention_time') <= textOf(other, 'retention_time'))
      ) {
        sids.push(textOf(execution, 'execution_sid'));
        excess -= Math.max(1, intOf(execution, 'event_count'));
        e++;
      } else if (other !== undefined) {
        ids.push(textOf(other, 'id'));
        excess -= 1;
        o++;
      }
    }
    if (sids.length > 0) {
      counts.deletedEvents += deleteExecutions(host, sids);
      counts.deletedExecutions += sids.length;
    }
    if (ids.length > 0) counts.deletedEvents += deleteOtherEvents(host, ids);
    await nextTick();
  }
  return counts;
}

/** Applies the saved retention settings (age, then count; by retention_time) and bounds the rejected table. */
export async function applyRetention(host: RetentionHost, now: Date = new Date()): Promise<DeleteCounts> {
  const settings = getRetention(host.database());
  const total: DeleteCounts = { deletedEvents: 0, deletedExecutions: 0 };
  const add = (counts: DeleteCounts) => {
    total.deletedEvents += counts.deletedEvents;
    total.deletedExecutions += counts.deletedExecutions;
  };
  if (settings.maxAgeDays !== null) {
    const cutoff = new Date(now.getTime() - settings.maxAgeDays * DAY_MS).toISOString();
    add(await deleteOlderThan(host, cutoff, BY_RETENTION_TIME));
  }
  if (settings.maxEvents !== null) add(await trimToMaxEvents(host, settings.maxEvents));
  prepared(host.database(), 'DELETE FROM rejected WHERE id <= (SELECT max(id) FROM rejected) - ?').run(MAX_REJECTED_ROWS);
  return total;
}

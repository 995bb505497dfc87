/**
 * The SQLite schema of the store and its migrations.
 *
 * Invariants:
 * - `events` holds every accepted CloudEvent exactly once (primary key = CloudEvent id) with its
 *   raw JSON: it is the source of truth. `executions` is a projection that can always be rebuilt
 *   from `events` (see PROJECTION_VERSION).
 * - All times are ISO 8601 UTC strings made by `Date.prototype.toISOString()`, so that comparing
 *   them as text orders them in time.
 * - Migrations only go forward, one transaction each; `schema_version` holds the last applied one.
 *   A database written by a newer Flowscope (higher version) is refused rather than damaged.
 */
import Database from 'libsql';
import { asRow, intOf } from './row-reader.js';

export type SqliteDatabase = Database.Database;

/**
 * Bump when buildExecutionTree or the summary columns change meaning: on open, a store whose
 * projections were built by another version rebuilds them from the raw events.
 */
export const PROJECTION_VERSION = 1;

const MIGRATIONS: readonly string[] = [
  // 1: initial schema
  `
  CREATE TABLE events (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    type          TEXT NOT NULL,
    execution_sid TEXT,
    flow_sid      TEXT,
    event_time    TEXT,
    received_at   TEXT NOT NULL,
    -- event_time, or received_at when the event carried no time: what ages and orders it
    sort_time     TEXT NOT NULL,
    body          TEXT NOT NULL
  );
  CREATE INDEX events_by_execution ON events (execution_sid, sort_time) WHERE execution_sid IS NOT NULL;
  CREATE INDEX events_other_by_time ON events (sort_time) WHERE execution_sid IS NULL;

  CREATE TABLE executions (
    execution_sid     TEXT PRIMARY KEY,
    flow_sid          TEXT NOT NULL,
    status            TEXT NOT NULL,
    contact           TEXT,
    started_by        TEXT,
    started_at        TEXT,
    last_event_at     TEXT,
    event_count       INTEGER NOT NULL,
    -- distinct widget names joined by newlines, for text search
    widgets           TEXT NOT NULL,
    first_received_at TEXT NOT NULL,
    last_received_at  TEXT NOT NULL,
    -- the full ExecutionSummary as JSON: what lists return
    summary           TEXT NOT NULL,
    -- when it started (or was first received): the list order and the retention order
    sort_time TEXT GENERATED ALWAYS AS (coalesce(started_at, first_received_at)) VIRTUAL,
    -- its latest activity: what "older than" compares
    last_time TEXT GENERATED ALWAYS AS (coalesce(last_event_at, last_received_at)) VIRTUAL
  );
  CREATE INDEX executions_by_time ON executions (sort_time, execution_sid);
  CREATE INDEX executions_by_last_time ON executions (last_time);
  CREATE INDEX executions_by_flow ON executions (flow_sid, sort_time);
  CREATE INDEX executions_by_status ON executions (status, sort_time);
  CREATE INDEX executions_by_contact ON executions (contact);

  CREATE TABLE rejected (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at TEXT NOT NULL,
    event_id    TEXT,
    reason      TEXT NOT NULL,
    raw         TEXT NOT NULL
  );

  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  // 2: per-flow counts kept by triggers, so the sidebar (pushed several times a second) reads a
  // few rows instead of grouping every execution (160 ms at 100,000 executions)
  `
  CREATE TABLE flows (
    flow_sid      TEXT PRIMARY KEY,
    active        INTEGER NOT NULL,
    ended         INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    total         INTEGER NOT NULL,
    last_event_at TEXT,
    last_time     TEXT
  );
  ${flowCountTrigger('insert', 'AFTER INSERT', ['NEW'])}
  ${flowCountTrigger('update', 'AFTER UPDATE', ['OLD', 'NEW'])}
  ${flowCountTrigger('delete', 'AFTER DELETE', ['OLD'])}
  INSERT INTO flows (flow_sid, active, ended, failed, total, last_event_at, last_time)
    SELECT flow_sid, sum(status = 'active'), sum(status = 'ended'), sum(status = 'failed'), count(*),
      max(last_event_at), max(last_time)
    FROM executions GROUP BY flow_sid;
  `,
  // 3: the age automatic retention goes by (retention.ts): the later of the latest event time and
  // the latest receipt, so that events imported (or delivered late) today with old event times are
  // not deleted the moment they arrive. Virtual: nothing is rewritten, only the indexes are built.
  `
  ALTER TABLE executions ADD COLUMN retention_time TEXT
    GENERATED ALWAYS AS (max(coalesce(last_event_at, last_received_at), last_received_at)) VIRTUAL;
  CREATE INDEX executions_by_retention_time ON executions (retention_time, execution_sid);
  ALTER TABLE events ADD COLUMN retention_time TEXT GENERATED ALWAYS AS (max(sort_time, received_at)) VIRTUAL;
  CREATE INDEX events_other_by_retention_time ON events (retention_time) WHERE execution_sid IS NULL;
  `,
  // 4: the number of stored events, kept by triggers like the flow counts: every connection
  // (a writer thread, the reading thread, an import CLI next to `serve`) reads the same exact
  // figure in microseconds, where count(*) scans the table (tens of ms at a million events)
  `
  CREATE TABLE store_counts (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    events INTEGER NOT NULL
  );
  INSERT INTO store_counts (id, events) SELECT 1, count(*) FROM events;
  CREATE TRIGGER events_count_insert AFTER INSERT ON events BEGIN
    UPDATE store_counts SET events = events + 1 WHERE id = 1;
  END;
  CREATE TRIGGER events_count_delete AFTER DELETE ON events BEGIN
    UPDATE store_counts SET events = events - 1 WHERE id = 1;
  END;
  `,
  // 5: an execution's update keeps its flow almost always: one UPDATE of that flow's row instead
  // of taking the row out of the counts and putting it back (three statements per projection write)
  `
  DROP TRIGGER IF EXISTS executions_flow_update;
  ${flowCountTrigger('update_moved', 'AFTER UPDATE', ['OLD', 'NEW'], 'OLD.flow_sid IS NOT NEW.flow_sid')}
  CREATE TRIGGER executions_flow_update_same AFTER UPDATE ON executions WHEN OLD.flow_sid = NEW.flow_sid BEGIN
    UPDATE flows SET
      active = active - (OLD.status = 'active') + (NEW.status = 'active'),
      ended = ended - (OLD.status = 'ended') + (NEW.status = 'ended'),
      failed = failed - (OLD.status = 'failed') + (NEW.status = 'failed'),
      ${latestActivityUpdate('NEW')}
    WHERE flow_sid = NEW.flow_sid;
  END;
  `,
];

/** Moves a flow's latest-activity columns forward to a row's (they never move back). */
function latestActivityUpdate(row: 'NEW' | 'excluded'): string {
  return `last_event_at = CASE WHEN last_event_at IS NULL OR ${row}.last_event_at > last_event_at
               THEN coalesce(${row}.last_event_at, last_event_at) ELSE last_event_at END,
             last_time = CASE WHEN last_time IS NULL OR ${row}.last_time > last_time
               THEN coalesce(${row}.last_time, last_time) ELSE last_time END`;
}

/**
 * A trigger that moves an executions row's contribution in or out of its flow's counts. The
 * latest-activity columns only ever grow: after a delete they may name an activity that is gone,
 * which only affects the sidebar's order. Migrations keep the text they were written with: a
 * trigger created by an earlier migration is only replaced by a later one.
 */
function flowCountTrigger(name: string, when: string, rows: Array<'OLD' | 'NEW'>, condition?: string): string {
  const statements = rows.map((row) =>
    row === 'OLD'
      ? `UPDATE flows SET active = active - (OLD.status = 'active'), ended = ended - (OLD.status = 'ended'),
           failed = failed - (OLD.status = 'failed'), total = total - 1 WHERE flow_sid = OLD.flow_sid;
         DELETE FROM flows WHERE flow_sid = OLD.flow_sid AND total <= 0;`
      : `INSERT INTO flows (flow_sid, active, ended, failed, total, last_event_at, last_time)
           VALUES (NEW.flow_sid, NEW.status = 'active', NEW.status = 'ended', NEW.status = 'failed', 1,
             NEW.last_event_at, NEW.last_time)
           ON CONFLICT (flow_sid) DO UPDATE SET active = active + excluded.active, ended = ended + excluded.ended,
             failed = failed + excluded.failed, total = total + 1,
             ${latestActivityUpdate('excluded')};`,
  );
  const whenClause = condition === undefined ? '' : ` WHEN ${condition}`;
  return `CREATE TRIGGER executions_flow_${name} ${when} ON executions${whenClause} BEGIN ${statements.join('\n')} END;`;
}

export const SCHEMA_VERSION = MIGRATIONS.length;

export type Durability = 'full' | 'normal';

/**
 * How long a statement waits for a write lock another connection holds (an import CLI or a second
 * Flowscope on the same data dir). The binding is synchronous, so the wait freezes the event loop:
 * short, and a commit that cannot get the lock fails and the receiver answers 503 (Twilio retries).
 */
export const DEFAULT_BUSY_TIMEOUT_MS = 250;
/** WAL pages (4 KiB) after which a commit copies the WAL back into the database file. */
export const DEFAULT_CHECKPOINT_PAGES = 4_000;
/**
 * The same for the writer thread's connection: its checkpoints stall only the writer, so ~64 MiB
 * between them copies each hot page back fewer times (+12% events/s at batch 100, same p99).
 */
export const WRITER_THREAD_CHECKPOINT_PAGES = 16_000;

/** Opening (migrations, projection rebuild) runs before anything is served, so it may wait longer. */
const OPEN_BUSY_TIMEOUT_MS = 5_000;

/**
 * Opens (creating if needed) the database file, sets WAL mode and the sync level, and migrates it.
 * `full`: every commit fsyncs the WAL (survives power loss). `normal`: survives a killed process
 * but a power cut may lose the last commits. The connection waits OPEN_BUSY_TIMEOUT_MS for locks
 * until `useRuntimeBusyTimeout` is called once opening is done.
 */
export function openDatabase(file: string, durability: Durability, checkpointPages = DEFAULT_CHECKPOINT_PAGES): SqliteDatabase {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`busy_timeout = ${OPEN_BUSY_TIMEOUT_MS}`);
    // event ids are random, so the id index is written all over; a page cache that holds it
    // (64 MiB, allocated only as used) turns those inserts from disk reads into memory writes
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    // Checkpoint every ~16 MiB of WAL instead of every 4 MiB: random-key index pages dirtied by
    // many commits are then copied back once, not once per commit (ingest of 100-event batches
    // went from ~7k to ~10k events/s). A writer thread checkpoints less often still (see
    // WRITER_THREAD_CHECKPOINT_PAGES); on the HTTP thread a longer checkpoint stalls every request.
    db.pragma(`wal_autocheckpoint = ${Math.max(1, Math.floor(checkpointPages))}`);
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function migrate(db: SqliteDatabase): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT max(version) AS version FROM schema_version').get();
  const current = row === undefined ? 0 : intOf(asRow(row), 'version');
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `the store was written by a newer Flowscope (schema ${current}, this version knows ${SCHEMA_VERSION})`,
    );
  }
  for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version - 1];
    if (sql === undefined) break;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(sql);
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(version);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw error;
    }
  }
}

/** Sets the lock wait of a connection that now serves commits (see DEFAULT_BUSY_TIMEOUT_MS). */
export function useRuntimeBusyTimeout(db: SqliteDatabase, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): void {
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
}

export interface StoreCounts {
  storedEvents: number;
  executions: number;
}

/** Stored events and executions, from the trigger-kept counts (migrations 2 and 4): O(1). */
export function readStoreCounts(db: SqliteDatabase): StoreCounts {
  const row = prepared(
    db,
    `SELECT (SELECT events FROM store_counts WHERE id = 1) AS events,
       (SELECT coalesce(sum(total), 0) FROM flows) AS executions`,
  ).get();
  const fields = row === undefined ? {} : asRow(row);
  return { storedEvents: intOf(fields, 'events'), executions: intOf(fields, 'executions') };
}

export function readSetting(db: SqliteDatabase, key: string): string | null {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key);
  if (row === undefined) return null;
  const value = asRow(row).value;
  return typeof value === 'string' ? value : null;
}

export function writeSetting(db: SqliteDatabase, key: string, value: string): void {
  db.prepare(
    'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  ).run(key, value);
}

const statementCaches = new WeakMap<SqliteDatabase, Map<string, Database.Statement>>();

/** A prepared statement, prepared once per connection and reused (statements are hot paths). */
export function prepared(db: SqliteDatabase, sql: string): Database.Statement {
  let cache = statementCaches.get(db);
  if (cache === undefined) {
    cache = new Map();
    statementCaches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (statement === undefined) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/**
 * Forgets the statements prepared on `db` (call when closing it). libsql has no finalize: a
 * connection closed while statements of it are alive stays open natively until they are garbage
 * collected, so the cache must not keep them reachable.
 */
export function forgetPreparedStatements(db: SqliteDatabase): void {
  statementCaches.delete(db);
}

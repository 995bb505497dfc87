/**
 * The `executions` projection: one row per execution, derived from its raw events by the pure
 * buildExecutionTree. Rows are only ever written from a complete event set, so the projection is a
 * function of the set of stored events: order and duplication of delivery do not matter.
 */
import { buildExecutionTree } from '../../shared/execution-tree.js';
import type { ExecutionSummary, ExecutionTree } from '../../shared/execution-model.js';
import { parseStudioEvent, type StudioEvent } from '../../shared/studio-event.js';
import { asRow, asRows, textOf, type Row } from './row-reader.js';
import { prepared, type SqliteDatabase } from './store-schema.js';

/** Parses stored event rows (columns `body`) back into StudioEvents, keyed by event id. */
export function parseEventRows(rows: readonly Row[]): Map<string, StudioEvent> {
  const events = new Map<string, StudioEvent>();
  for (const row of rows) {
    const event = parseStoredBody(textOf(row, 'body'));
    if (event !== null) events.set(event.id, event);
  }
  return events;
}

/** A stored body was accepted once, so it parses again; null only for a damaged row. */
export function parseStoredBody(body: string): StudioEvent | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return null;
  }
  const result = parseStudioEvent(json);
  return result.ok ? result.event : null;
}

export function loadExecutionEvents(db: SqliteDatabase, executionSid: string): Map<string, StudioEvent> {
  const rows = prepared(db, 'SELECT body FROM events WHERE execution_sid = ?').all(executionSid);
  return parseEventRows(asRows(rows));
}

export function buildTree(events: Map<string, StudioEvent>): ExecutionTree {
  return buildExecutionTree([...events.values()]);
}

export interface ReceivedRange {
  first: string;
  last: string;
}

// Positional parameters: libsql reads named ones property by property, about 10 us more per row.
const UPSERT_SQL = `
  INSERT INTO executions (execution_sid, flow_sid, status, contact, started_by, started_at,
    last_event_at, event_count, widgets, first_received_at, last_received_at, summary)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (execution_sid) DO UPDATE SET
    flow_sid = excluded.flow_sid, status = excluded.status, contact = excluded.contact,
    started_by = excluded.started_by, started_at = excluded.started_at,
    last_event_at = excluded.last_event_at, event_count = excluded.event_count,
    widgets = excluded.widgets, summary = excluded.summary,
    first_received_at = min(first_received_at, excluded.first_received_at),
    last_received_at = max(last_received_at, excluded.last_received_at)`;

/** The widgets that ran and the one an active execution waits in: what a user searches for. */
function searchableWidgets(summary: ExecutionSummary): string {
  const names = new Set(summary.widgets);
  if (summary.currentWidget !== null) names.add(summary.currentWidget);
  return [...names].join('\n');
}

/** Whether the execution has a projection row (then, and only then, it has stored events). */
export function projectionExists(db: SqliteDatabase, executionSid: string): boolean {
  return prepared(db, 'SELECT 1 AS found FROM executions WHERE execution_sid = ?').get(executionSid) !== undefined;
}

export function upsertProjection(db: SqliteDatabase, summary: ExecutionSummary, received: ReceivedRange): void {
  prepared(db, UPSERT_SQL).run([
    summary.executionSid,
    summary.flowSid,
    summary.status,
    summary.contact,
    summary.startedBy,
    summary.startedAt,
    summary.lastEventAt,
    summary.eventCount,
    searchableWidgets(summary),
    received.first,
    received.last,
    JSON.stringify(summary),
  ]);
}

/**
 * Rebuilds every projection row from the raw events (after a PROJECTION_VERSION change). Runs in
 * the caller's transaction.
 */
export function rebuildAllProjections(db: SqliteDatabase): number {
  db.exec('DELETE FROM executions');
  const groups = asRows(
    db
      .prepare(
        `SELECT execution_sid, min(received_at) AS first, max(received_at) AS last
         FROM events WHERE execution_sid IS NOT NULL GROUP BY execution_sid`,
      )
      .all(),
  );
  for (const group of groups) {
    const events = loadExecutionEvents(db, textOf(group, 'execution_sid'));
    if (events.size === 0) continue;
    upsertProjection(db, buildTree(events).summary, { first: textOf(group, 'first'), last: textOf(group, 'last') });
  }
  return groups.length;
}

/** Reads the stored summary JSON of an executions row. */
export function summaryOfRow(row: Row): ExecutionSummary {
  return JSON.parse(textOf(row, 'summary')) as ExecutionSummary;
}

export function countRows(db: SqliteDatabase, sql: string): number {
  const row = prepared(db, sql).get();
  if (row === undefined) return 0;
  const value = asRow(row).n;
  return typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : 0;
}

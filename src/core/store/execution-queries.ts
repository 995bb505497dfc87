/**
 * Read queries over the store. Every list is computed in SQL (GROUP BY, WHERE, LIMIT) so that no
 * query loads the whole store into memory.
 *
 * Security: the filter arrives from a UI (validated against executionFilterSchema by the rpc
 * layer); every value is bound as a parameter, never spliced into SQL, and LIKE wildcards in the
 * search text are escaped so that `%` and `_` match themselves.
 */
import type { ExecutionFilter, RejectedRecord, StoredEventRecord } from '../../shared/contract.js';
import type { ExecutionSummary, FlowSummary } from '../../shared/execution-model.js';
import { asRow, asRows, intOf, textOf, textOrNullOf, type Row } from './row-reader.js';
import { summaryOfRow } from './projection.js';
import { prepared, type SqliteDatabase } from './store-schema.js';

export interface ExecutionPage {
  items: ExecutionSummary[];
  total: number;
  offset: number;
}

/** Keyset position in the newest-first execution order (for streaming through everything). */
export interface ExecutionCursor {
  sortTime: string;
  executionSid: string;
}

interface Where {
  sql: string;
  params: Record<string, string>;
}

/** Escapes LIKE wildcards with `\` (the queries say `ESCAPE '\'`). */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function isoOrThrow(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new RangeError(`filter.${field} is not a date-time`);
  return new Date(ms).toISOString();
}

export function whereOfFilter(filter: ExecutionFilter): Where {
  const clauses: string[] = [];
  const params: Record<string, string> = {};
  if (filter.flowSid !== undefined) {
    clauses.push('flow_sid = :flow_sid');
    params.flow_sid = filter.flowSid;
  }
  if (filter.status !== undefined) {
    // an empty status list selects nothing, as a UI with every status unticked expects
    clauses.push('status IN (SELECT value FROM json_each(:statuses))');
    params.statuses = JSON.stringify(filter.status);
  }
  if (filter.since !== undefined) {
    clauses.push('sort_time >= :since');
    params.since = isoOrThrow(filter.since, 'since');
  }
  if (filter.until !== undefined) {
    clauses.push('sort_time < :until');
    params.until = isoOrThrow(filter.until, 'until');
  }
  if (filter.text !== undefined && filter.text.trim() !== '') {
    clauses.push(
      `(contact LIKE :text ESCAPE '\\' OR execution_sid LIKE :text ESCAPE '\\' OR flow_sid LIKE :text ESCAPE '\\'
        OR started_by LIKE :text ESCAPE '\\' OR widgets LIKE :text ESCAPE '\\')`,
    );
    params.text = `%${escapeLike(filter.text.trim())}%`;
  }
  if (filter.executionSids !== undefined) {
    clauses.push('execution_sid IN (SELECT value FROM json_each(:sids))');
    params.sids = JSON.stringify(filter.executionSids);
  }
  return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

export function listExecutions(db: SqliteDatabase, filter: ExecutionFilter, offset: number, limit: number): ExecutionPage {
  const where = whereOfFilter(filter);
  const totalRow = prepared(db, `SELECT count(*) AS n FROM executions ${where.sql}`).get(where.params);
  const rows = prepared(
    db,
    `SELECT summary FROM executions ${where.sql}
     ORDER BY sort_time DESC, execution_sid DESC LIMIT :limit OFFSET :offset`,
  ).all({ ...where.params, limit, offset });
  return {
    items: asRows(rows).map(summaryOfRow),
    total: totalRow === undefined ? 0 : intOf(asRow(totalRow), 'n'),
    offset,
  };
}

/** The next `limit` executions after `cursor` in newest-first order, with the cursor to continue. */
export function pageExecutions(
  db: SqliteDatabase,
  filter: ExecutionFilter,
  cursor: ExecutionCursor | null,
  limit: number,
): { items: ExecutionSummary[]; next: ExecutionCursor | null } {
  const where = whereOfFilter(filter);
  const after = '(sort_time < :c_time OR (sort_time = :c_time AND execution_sid < :c_sid))';
  const sql =
    cursor === null ? where.sql : where.sql === '' ? `WHERE ${after}` : `${where.sql} AND ${after}`;
  const params = cursor === null ? where.params : { ...where.params, c_time: cursor.sortTime, c_sid: cursor.executionSid };
  const rows = asRows(
    prepared(
      db,
      `SELECT summary, sort_time, execution_sid FROM executions ${sql}
       ORDER BY sort_time DESC, execution_sid DESC LIMIT :limit`,
    ).all({ ...params, limit }),
  );
  const last = rows[rows.length - 1];
  const next =
    last === undefined || rows.length < limit
      ? null
      : { sortTime: textOf(last, 'sort_time'), executionSid: textOf(last, 'execution_sid') };
  return { items: rows.map(summaryOfRow), next };
}

/** Flows with their execution counts (kept by triggers), most recently active first; optionally only some. */
export function listFlows(db: SqliteDatabase, flowSids?: readonly string[]): FlowSummary[] {
  const where = flowSids === undefined ? '' : 'WHERE flow_sid IN (SELECT value FROM json_each(:flows))';
  const rows = prepared(
    db,
    `SELECT flow_sid, active, ended, failed, total, last_event_at
     FROM flows ${where} ORDER BY last_time DESC, flow_sid`,
  ).all(flowSids === undefined ? {} : { flows: JSON.stringify(flowSids) });
  return asRows(rows).map((row) => ({
    flowSid: textOf(row, 'flow_sid'),
    active: intOf(row, 'active'),
    ended: intOf(row, 'ended'),
    failed: intOf(row, 'failed'),
    total: intOf(row, 'total'),
    lastEventAt: textOrNullOf(row, 'last_event_at'),
  }));
}

const EVENT_COLUMNS = 'id, type, kind, event_time, received_at, body';
const EXECUTION_EVENTS_SQL = `SELECT ${EVENT_COLUMNS} FROM events WHERE execution_sid = ? ORDER BY sort_time, rowid`;

/** The stored events of one execution, oldest first, as raw rows (body is the CloudEvent JSON). */
export function executionEventRows(db: SqliteDatabase, executionSid: string): Row[] {
  return asRows(prepared(db, EXECUTION_EVENTS_SQL).all(executionSid));
}

export function storedEventRecord(row: Row): StoredEventRecord {
  return {
    id: textOf(row, 'id'),
    type: textOf(row, 'type'),
    kind: textOf(row, 'kind'),
    time: textOrNullOf(row, 'event_time'),
    receivedAt: textOf(row, 'received_at'),
    event: JSON.parse(textOf(row, 'body')) as unknown,
  };
}

/** Events that belong to no execution (other types, sink tests), oldest first, keyset-paged by rowid. */
export function otherEventRows(db: SqliteDatabase, afterRowid: number, limit: number): Row[] {
  return asRows(
    prepared(
      db,
      `SELECT rowid AS seq, ${EVENT_COLUMNS} FROM events
       WHERE execution_sid IS NULL AND rowid > ? ORDER BY rowid LIMIT ?`,
    ).all(afterRowid, limit),
  );
}

/** A page of events of no execution (raw JSON) and the `after` to pass for the next page, null at the end. */
export function pageOtherEvents(db: SqliteDatabase, after: number, limit: number): { rawEvents: string[]; next: number | null } {
  const rows = otherEventRows(db, after, limit);
  const last = rows[rows.length - 1];
  return {
    rawEvents: rows.map((row) => textOf(row, 'body')),
    next: last === undefined || rows.length < limit ? null : Number(last.seq),
  };
}

export function listRejected(db: SqliteDatabase, limit: number): RejectedRecord[] {
  const rows = prepared(db, 'SELECT id, received_at, event_id, reason, raw FROM rejected ORDER BY id DESC LIMIT ?').all(
    limit,
  );
  return asRows(rows).map((row) => ({
    id: intOf(row, 'id'),
    receivedAt: textOf(row, 'received_at'),
    eventId: textOrNullOf(row, 'event_id'),
    reason: textOf(row, 'reason'),
    raw: textOf(row, 'raw'),
  }));
}

/**
 * The list order and filter semantics, mirrored from the core's executions.list query
 * (src/core/store/execution-queries.ts) so that live deltas land where a refetch would put them:
 * newest first by start time (the core falls back to the first-received time, so an execution
 * with no start time yet is a brand-new one and sorts first), then execution sid descending.
 * Text search is a case-insensitive substring of contact, execution sid, flow sid, started-by
 * sid or a widget name (SQLite LIKE is case-insensitive for ASCII).
 * If the two ever disagree, the list converges anyway: the store refetches the visible pages.
 */
import type { ExecutionFilter } from '../../../shared/contract.js';
import type { ExecutionSummary } from '../../../shared/execution-model.js';

function startMs(summary: ExecutionSummary): number {
  if (summary.startedAt === null) return Number.POSITIVE_INFINITY;
  const ms = Date.parse(summary.startedAt);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

/** Negative when `a` comes before `b` in the list (newest first). */
export function compareExecutions(a: ExecutionSummary, b: ExecutionSummary): number {
  const byTime = startMs(b) - startMs(a);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  if (a.executionSid === b.executionSid) return 0;
  return a.executionSid < b.executionSid ? 1 : -1;
}

export function sameSortKey(a: ExecutionSummary, b: ExecutionSummary): boolean {
  return a.startedAt === b.startedAt && a.executionSid === b.executionSid;
}

function includesText(summary: ExecutionSummary, needle: string): boolean {
  const fields = [summary.contact, summary.executionSid, summary.flowSid, summary.startedBy, ...summary.widgets];
  return fields.some((field) => field !== null && field.toLowerCase().includes(needle));
}

export function matchesFilter(summary: ExecutionSummary, filter: ExecutionFilter): boolean {
  if (filter.flowSid !== undefined && summary.flowSid !== filter.flowSid) return false;
  if (filter.status !== undefined && !filter.status.includes(summary.status)) return false;
  if (filter.executionSids !== undefined && !filter.executionSids.includes(summary.executionSid)) return false;
  const start = startMs(summary);
  if (filter.since !== undefined && start < Date.parse(filter.since)) return false;
  if (filter.until !== undefined && start >= Date.parse(filter.until)) return false;
  const text = filter.text?.trim().toLowerCase() ?? '';
  return text === '' || includesText(summary, text);
}

/** Whether `next` is at least as recent a version of an execution as `current`. */
export function isSameOrNewer(next: ExecutionSummary, current: ExecutionSummary): boolean {
  return next.eventCount >= current.eventCount;
}

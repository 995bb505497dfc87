/**
 * The filter as the user sets it (UiFilter) and as the core receives it (ExecutionFilter).
 * Relative time ranges ("last 15 min") are turned into an absolute `since` when the filter is
 * applied, so the list and the live-delta matching use the very same bounds.
 */
import type { ExecutionFilter } from '../../../shared/contract.js';
import type { ExecutionStatus } from '../../../shared/execution-model.js';

export const ALL_STATUSES: readonly ExecutionStatus[] = ['active', 'ended', 'failed'];

export type TimeRange =
  | { kind: 'all' }
  | { kind: 'last'; minutes: number }
  | { kind: 'custom'; since: string | null; until: string | null };

export interface UiFilter {
  flowSid: string | null;
  /** The statuses toggled on; all three means no status filter. */
  statuses: ExecutionStatus[];
  timeRange: TimeRange;
  text: string;
}

export const QUICK_RANGES: readonly { label: string; minutes: number }[] = [
  { label: 'Last 15 min', minutes: 15 },
  { label: 'Last 1 h', minutes: 60 },
  { label: 'Last 24 h', minutes: 24 * 60 },
];

export function defaultFilter(): UiFilter {
  return { flowSid: null, statuses: [...ALL_STATUSES], timeRange: { kind: 'all' }, text: '' };
}

function isoOrUndefined(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

export function toExecutionFilter(filter: UiFilter, nowMs: number): ExecutionFilter {
  const result: ExecutionFilter = {};
  if (filter.flowSid !== null) result.flowSid = filter.flowSid;
  if (filter.statuses.length < ALL_STATUSES.length) {
    result.status = ALL_STATUSES.filter((status) => filter.statuses.includes(status));
  }
  const range = filter.timeRange;
  if (range.kind === 'last') result.since = new Date(nowMs - range.minutes * 60_000).toISOString();
  if (range.kind === 'custom') {
    const since = isoOrUndefined(range.since);
    const until = isoOrUndefined(range.until);
    if (since !== undefined) result.since = since;
    if (until !== undefined) result.until = until;
  }
  const text = filter.text.trim();
  if (text !== '') result.text = text.slice(0, 200);
  return result;
}

/** Whether anything narrows the list (for the empty state's "clear filters"). */
export function isFiltering(filter: UiFilter): boolean {
  return Object.keys(toExecutionFilter(filter, 0)).length > 0;
}

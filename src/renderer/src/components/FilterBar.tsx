/**
 * Filters, applied server side by executions.list: status toggles, time range (quick choices or
 * custom since/until), and a debounced text search (contact, execution sid, widget name...).
 */
import { useEffect, useState, type ChangeEvent } from 'react';
import type { ExecutionStatus } from '../../../shared/execution-model.js';
import { useApp, useAppState } from '../store/app-context.js';
import { ALL_STATUSES, QUICK_RANGES, type TimeRange } from '../store/filters.js';

export const SEARCH_DEBOUNCE_MS = 250;

function StatusToggles() {
  const { actions } = useApp();
  const statuses = useAppState((s) => s.filter.statuses);
  const toggle = (status: ExecutionStatus) => {
    const next = statuses.includes(status) ? statuses.filter((s) => s !== status) : [...statuses, status];
    actions.setFilter({ statuses: next });
  };
  return (
    <div className="toggle-group" role="group" aria-label="Status">
      {ALL_STATUSES.map((status) => (
        <button
          key={status}
          type="button"
          className={`toggle toggle-${status}`}
          aria-pressed={statuses.includes(status)}
          onClick={() => toggle(status)}
        >
          {status}
        </button>
      ))}
    </div>
  );
}

function rangeValue(range: TimeRange): string {
  return range.kind === 'last' ? `last:${range.minutes}` : range.kind;
}

/** datetime-local wants local "YYYY-MM-DDTHH:mm"; the filter keeps what the input gave. */
function TimeRangePicker() {
  const { actions } = useApp();
  const range = useAppState((s) => s.filter.timeRange);
  const onSelect = (event: ChangeEvent<HTMLSelectElement>) => {
    const value = event.target.value;
    if (value === 'all') actions.setFilter({ timeRange: { kind: 'all' } });
    else if (value === 'custom') actions.setFilter({ timeRange: { kind: 'custom', since: null, until: null } });
    else actions.setFilter({ timeRange: { kind: 'last', minutes: Number(value.slice('last:'.length)) } });
  };
  return (
    <div className="time-range">
      <select aria-label="Time range" value={rangeValue(range)} onChange={onSelect}>
        <option value="all">All time</option>
        {QUICK_RANGES.map((quick) => (
          <option key={quick.minutes} value={`last:${quick.minutes}`}>
            {quick.label}
          </option>
        ))}
        <option value="custom">Custom…</option>
      </select>
      {range.kind === 'custom' && (
        <>
          <label>
            since
            <input
              type="datetime-local"
              value={range.since ?? ''}
              onChange={(e) => actions.setFilter({ timeRange: { ...range, since: e.target.value || null } })}
            />
          </label>
          <label>
            until
            <input
              type="datetime-local"
              value={range.until ?? ''}
              onChange={(e) => actions.setFilter({ timeRange: { ...range, until: e.target.value || null } })}
            />
          </label>
        </>
      )}
    </div>
  );
}

function SearchBox() {
  const { actions } = useApp();
  const applied = useAppState((s) => s.filter.text);
  const [text, setText] = useState(applied);
  // follow outside changes (e.g. "clear filters")
  useEffect(() => setText(applied), [applied]);
  useEffect(() => {
    if (text === applied) return;
    const timer = setTimeout(() => actions.setFilter({ text }), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [actions, text, applied]);
  return (
    <input
      type="search"
      className="search"
      placeholder="Search contact, execution SID, widget…"
      aria-label="Search executions"
      maxLength={200}
      value={text}
      onChange={(e) => setText(e.target.value)}
    />
  );
}

function FlowChip() {
  const { actions } = useApp();
  const flowSid = useAppState((s) => s.filter.flowSid);
  if (flowSid === null) return null;
  return (
    <span className="chip">
      Flow <span className="mono">{flowSid}</span>
      <button type="button" aria-label="Show all flows" onClick={() => actions.setFilter({ flowSid: null })}>
        ×
      </button>
    </span>
  );
}

export function FilterBar() {
  return (
    <div className="filter-bar" role="search">
      <SearchBox />
      <StatusToggles />
      <TimeRangePicker />
      <FlowChip />
    </div>
  );
}

import { memo } from 'react';
import type { ExecutionSummary } from '../../../shared/execution-model.js';
import { formatClock, formatDuration } from '../lib/format.js';
import { LiveDuration } from './LiveDuration.js';
import { StatusBadge } from './StatusBadge.js';

export const ROW_HEIGHT = 26;

interface ExecutionRowProps {
  index: number;
  top: number;
  summary: ExecutionSummary | undefined;
  selected: boolean;
  cursor: boolean;
  onOpen: (sid: string) => void;
}

function ExecutionRowView({ index, top, summary, selected, cursor, onOpen }: ExecutionRowProps) {
  const style = { transform: `translateY(${top}px)`, height: ROW_HEIGHT };
  if (summary === undefined) {
    return (
      <div role="row" aria-rowindex={index + 1} className="exec-row exec-row-loading" style={style}>
        <span role="gridcell" className="cell">…</span>
      </div>
    );
  }
  const active = summary.status === 'active';
  const widget = active ? summary.currentWidget : summary.lastWidget;
  const classes = ['exec-row', `exec-row-${summary.status}`, selected ? 'is-selected' : '', cursor ? 'is-cursor' : '']
    .filter(Boolean)
    .join(' ');
  return (
    <div
      role="row"
      aria-rowindex={index + 1}
      aria-selected={selected}
      data-sid={summary.executionSid}
      className={classes}
      style={style}
      onClick={() => onOpen(summary.executionSid)}
    >
      <span role="gridcell" className="cell col-status">
        <StatusBadge status={summary.status} />
      </span>
      <span role="gridcell" className="cell col-contact" title={summary.contact ?? undefined}>
        {summary.contact ?? '—'}
      </span>
      <span role="gridcell" className="cell col-started">
        {formatClock(summary.startedAt, Date.now())}
      </span>
      <span role="gridcell" className="cell col-duration">
        {active ? <LiveDuration since={summary.startedAt} /> : formatDuration(summary.durationMs)}
      </span>
      <span role="gridcell" className={`cell col-widget ${active ? 'is-live' : ''}`} title={widget ?? undefined}>
        {widget ?? '—'}
      </span>
      <span role="gridcell" className="cell col-sid mono">
        {summary.executionSid}
      </span>
    </div>
  );
}

export const ExecutionRow = memo(ExecutionRowView);

import type { ReactNode } from 'react';
import type { ExecutionSummary } from '../../../shared/execution-model.js';
import { formatClock, formatDuration } from '../lib/format.js';
import { SidText } from './CopyButton.js';
import { LiveDuration } from './LiveDuration.js';
import { StatusBadge } from './StatusBadge.js';

/** `wide` fields hold a full SID and take a whole row, so it is never cut. */
function Field({ label, wide = false, children }: { label: string; wide?: boolean; children: ReactNode }) {
  return (
    <div className={wide ? 'fact fact-wide' : 'fact'}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

const orDash = (value: string | number | null) => (value === null ? '—' : String(value));

export function ExecutionHeader({ summary }: { summary: ExecutionSummary }) {
  const active = summary.status === 'active';
  return (
    <header className="exec-header-panel">
      <div className="exec-title">
        <StatusBadge status={summary.status} />
        <SidText sid={summary.executionSid} label="execution SID" />
      </div>
      <dl className="facts">
        <Field label="Flow" wide>
          <SidText sid={summary.flowSid} label="flow SID" />
        </Field>
        <Field label="Contact" wide>
          {orDash(summary.contact)}
        </Field>
        <Field label="Started by" wide>
          {summary.startedBy === null ? '—' : <SidText sid={summary.startedBy} label="started-by SID" />}
        </Field>
        <Field label="Started">{formatClock(summary.startedAt, Date.now())}</Field>
        <Field label="Duration">
          {active ? <LiveDuration since={summary.startedAt} /> : formatDuration(summary.durationMs)}
        </Field>
        <Field label="Ended reason">{orDash(summary.endedReason)}</Field>
        <Field label="Revision">{orDash(summary.flowRevision)}</Field>
        <Field label="Steps / events">
          {summary.stepCount} / {summary.eventCount}
        </Field>
      </dl>
      {(!summary.seenStarted || (!active && !summary.seenEnded)) && (
        <div className="note">
          {!summary.seenStarted && 'The execution.started event has not arrived (yet). '}
          {!active && !summary.seenEnded && 'The execution.ended event has not arrived (yet).'}
        </div>
      )}
    </header>
  );
}

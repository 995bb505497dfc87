/**
 * The steps of one execution in order, subflow steps nested under the step that ran them, with
 * the live tail "waiting in <widget>" while the execution is active.
 */
import { useMemo } from 'react';
import type { StoredEventRecord } from '../../../shared/contract.js';
import type { ExecutionSummary, ExecutionTree as Tree } from '../../../shared/execution-model.js';
import { formatDuration } from '../lib/format.js';
import { stepScale } from '../lib/step-timing.js';
import { LiveDuration } from './LiveDuration.js';
import { StepRow } from './StepRow.js';

interface ExecutionTreeProps {
  tree: Tree;
  events: StoredEventRecord[];
  /** The latest summary (may be newer than the tree while a refetch is in flight). */
  summary: ExecutionSummary;
}

export function ExecutionTree({ tree, events, summary }: ExecutionTreeProps) {
  const scale = useMemo(() => stepScale(tree.steps), [tree.steps]);
  const eventsById = useMemo(() => new Map(events.map((record) => [record.id, record])), [events]);
  const active = summary.status === 'active';
  return (
    <div className="step-tree">
      <div className="step-row step-head" aria-hidden="true">
        <span className="cell step-widget">Widget</span>
        <span className="cell step-transition">Transition → next</span>
        <span className="cell step-offset">Since start</span>
        <span className="cell step-timing">Time in step</span>
      </div>
      <div role="tree" aria-label="Steps">
        {tree.steps.map((step) => (
          <StepRow key={step.stepSid} step={step} depth={0} scale={scale} eventsById={eventsById} />
        ))}
      </div>
      {tree.steps.length === 0 && <div className="note">No steps yet.</div>}
      {active ? (
        <div className="step-live" role="status">
          <span className="live-dot" aria-hidden="true" />
          waiting in <strong>{summary.currentWidget ?? 'the first widget'}</strong> for{' '}
          <LiveDuration since={summary.lastEventAt ?? summary.startedAt} />
        </div>
      ) : (
        <div className="step-end">
          Ended{summary.endedReason !== null ? ` (${summary.endedReason})` : ''} after {formatDuration(summary.durationMs)}
        </div>
      )}
    </div>
  );
}

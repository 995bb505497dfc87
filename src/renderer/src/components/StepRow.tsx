/**
 * One step of the tree: widget, transition taken and where it went, time since the execution
 * started, and the time spent (a bar, or a WAIT marker for a long wait). Click opens its raw
 * CloudEvent; the caret folds the subflow steps nested under it.
 */
import { useState, type CSSProperties, type KeyboardEvent } from 'react';
import type { StoredEventRecord } from '../../../shared/contract.js';
import type { StepNode } from '../../../shared/execution-model.js';
import { formatDuration, formatOffset } from '../lib/format.js';
import type { StepScale } from '../lib/step-timing.js';
import { SidText } from './CopyButton.js';
import { RawEventView } from './RawEventView.js';

interface StepRowProps {
  step: StepNode;
  depth: number;
  scale: StepScale;
  eventsById: ReadonlyMap<string, StoredEventRecord>;
}

function StepTiming({ durationMs, scale }: { durationMs: number | null; scale: StepScale }) {
  if (scale.isWait(durationMs)) {
    return (
      <span className="wait-marker" title="A long wait (left out of the bar scale)">
        WAIT {formatDuration(durationMs)}
      </span>
    );
  }
  return (
    <>
      <span className="bar-track">
        <span className="bar" style={{ width: `${Math.max(1, scale.fraction(durationMs) * 100)}%` }} />
      </span>
      <span className="bar-label">{formatDuration(durationMs)}</span>
    </>
  );
}

export function StepRow({ step, depth, scale, eventsById }: StepRowProps) {
  const [showRaw, setShowRaw] = useState(false);
  const [expanded, setExpanded] = useState(true);
  const hasChildren = step.children.length > 0;
  const indent = { '--depth': depth } as CSSProperties;
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      setShowRaw((v) => !v);
    }
  };
  return (
    <div role="treeitem" aria-level={depth + 1} aria-expanded={hasChildren ? expanded : undefined} className="step-item">
      <div
        className={`step-row ${showRaw ? 'is-open' : ''}`}
        style={indent}
        tabIndex={0}
        data-step-sid={step.stepSid}
        onClick={() => setShowRaw((v) => !v)}
        onKeyDown={onKeyDown}
      >
        <span className="cell step-widget">
          {hasChildren ? (
            <button
              type="button"
              className="caret"
              aria-label={expanded ? 'Collapse subflow steps' : 'Expand subflow steps'}
              onClick={(event) => {
                event.stopPropagation();
                setExpanded((v) => !v);
              }}
            >
              {expanded ? '▾' : '▸'}
            </button>
          ) : (
            <span className="caret-space" />
          )}
          <span className="widget-name">{step.widget ?? '(unknown widget)'}</span>
          {hasChildren && <span className="subflow-tag">subflow · {step.children.length}</span>}
        </span>
        <span className="cell step-transition">
          <span className="transition-name">{step.name ?? '—'}</span>
          <span className="arrow"> → </span>
          <span className="transition-to">{step.transitionedTo ?? '—'}</span>
        </span>
        <span className="cell step-offset mono">{formatOffset(step.sinceStartMs)}</span>
        <span className="cell step-timing">
          <StepTiming durationMs={step.durationMs} scale={scale} />
        </span>
      </div>
      {showRaw && (
        <div className="step-detail" style={indent}>
          <div className="step-sids">
            Step <SidText sid={step.stepSid} label="step SID" />
            {step.parentStepSid !== null && (
              <>
                {' '}
                parent <SidText sid={step.parentStepSid} label="parent step SID" />
              </>
            )}
          </div>
          <RawEventView record={eventsById.get(step.eventId)} />
        </div>
      )}
      {hasChildren && expanded && (
        <div role="group">
          {step.children.map((child) => (
            <StepRow key={child.stepSid} step={child} depth={depth + 1} scale={scale} eventsById={eventsById} />
          ))}
        </div>
      )}
    </div>
  );
}

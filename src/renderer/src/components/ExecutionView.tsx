import { useState } from 'react';
import { useApp, useAppState } from '../store/app-context.js';
import { EmptyState, NoSelection } from './EmptyState.js';
import { ExecutionHeader } from './ExecutionHeader.js';
import { ExecutionTree } from './ExecutionTree.js';
import { RawEventsList } from './RawEventsList.js';

type Tab = 'steps' | 'events';

/** The opened execution: header, its step tree, and its raw events. */
export function ExecutionView() {
  const { actions } = useApp();
  const selectedSid = useAppState((s) => s.selectedSid);
  const detail = useAppState((s) => s.detail);
  // the list's copy is the freshest (deltas land there first); the tree's copy is the fallback
  const listed = useAppState((s) => (s.selectedSid === null ? undefined : s.list.summaries.get(s.selectedSid)));
  const [tab, setTab] = useState<Tab>('steps');

  if (selectedSid === null) return <NoSelection />;
  if (detail.status === 'missing') {
    return (
      <EmptyState title="This execution is not in the store">
        <button type="button" className="button" onClick={() => actions.select(null)}>
          Close
        </button>
      </EmptyState>
    );
  }
  if (detail.status === 'error') return <EmptyState title="Could not load this execution">{detail.message}</EmptyState>;
  if (detail.status !== 'ready' || detail.sid !== selectedSid) return <div className="loading">Loading…</div>;

  const summary = listed ?? detail.tree.summary;
  return (
    <div className="exec-view">
      <ExecutionHeader summary={summary} />
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'steps'} onClick={() => setTab('steps')}>
          Steps ({summary.stepCount})
        </button>
        <button type="button" role="tab" aria-selected={tab === 'events'} onClick={() => setTab('events')}>
          Raw events ({detail.events.length})
        </button>
      </div>
      <div className="tab-body" role="tabpanel">
        {tab === 'steps' ? (
          <ExecutionTree tree={detail.tree} events={detail.events} summary={summary} />
        ) : (
          <RawEventsList events={detail.events} />
        )}
      </div>
    </div>
  );
}

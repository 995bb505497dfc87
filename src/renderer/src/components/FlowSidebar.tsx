import type { FlowSummary } from '../../../shared/execution-model.js';
import { useApp, useAppState } from '../store/app-context.js';
import { formatCount } from '../lib/format.js';

function Counts({ active, ended, failed }: Pick<FlowSummary, 'active' | 'ended' | 'failed'>) {
  return (
    <span className="flow-counts">
      <span className="count count-active" title="active">{formatCount(active)}</span>
      <span className="count count-ended" title="ended">{formatCount(ended)}</span>
      <span className="count count-failed" title="failed">{formatCount(failed)}</span>
    </span>
  );
}

/** Every flow with live counts; a click filters the list by that flow. */
export function FlowSidebar() {
  const { actions } = useApp();
  const flows = useAppState((s) => s.flows);
  const selected = useAppState((s) => s.filter.flowSid);
  const totals = flows.reduce(
    (sum, flow) => ({ active: sum.active + flow.active, ended: sum.ended + flow.ended, failed: sum.failed + flow.failed }),
    { active: 0, ended: 0, failed: 0 },
  );
  return (
    <nav className="flow-sidebar" aria-label="Flows">
      <div className="pane-header">
        <span className="pane-title">Flows</span>
      </div>
      <ul>
        <li>
          <button
            type="button"
            className="flow-item"
            aria-current={selected === null}
            onClick={() => actions.setFilter({ flowSid: null })}
          >
            <span className="flow-name">All flows</span>
            <Counts {...totals} />
          </button>
        </li>
        {flows.map((flow) => (
          <li key={flow.flowSid}>
            <button
              type="button"
              className="flow-item"
              aria-current={selected === flow.flowSid}
              title={flow.flowSid}
              onClick={() => actions.setFilter({ flowSid: flow.flowSid })}
            >
              <span className="flow-name mono">{flow.flowSid}</span>
              <Counts {...flow} />
            </button>
          </li>
        ))}
      </ul>
      {flows.length === 0 && <div className="note">No flows seen yet.</div>}
    </nav>
  );
}

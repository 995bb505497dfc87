/**
 * Connect's progress, one line per step in the order the core runs them, from the steps the
 * `connection.changed` pushes carry: not yet reached, running, done or failed, with the core's
 * sentence. After a failure, one line names the steps that never ran, and the undo step says
 * what was removed. Re-points of a live connection follow.
 */
import type { ConnectionStatus, ConnectionStepName, ConnectionStepProgress } from '../../../shared/contract.js';
import { CONNECT_STEP_ORDER, STEP_LABELS } from '../lib/connection-text.js';

type RowState = ConnectionStepProgress['state'] | 'waiting' | 'skipped';

const ICONS: Record<RowState, string> = {
  waiting: '○',
  running: '',
  done: '✓',
  failed: '✕',
  skipped: '–',
};

const MAX_REPOINTS = 3;

function StepRow({ step, state, message }: { step: ConnectionStepName; state: RowState; message: string }) {
  return (
    <li className={`connect-step step-${state}`} data-step={step} data-state={state}>
      <span className="step-icon" aria-hidden="true">
        {ICONS[state]}
      </span>
      <span className="step-label">{STEP_LABELS[step]}</span>
      <span className="step-message">{message}</span>
    </li>
  );
}

export function ConnectProgress({ status }: { status: ConnectionStatus }) {
  const latest = new Map<ConnectionStepName, ConnectionStepProgress>();
  for (const entry of status.steps) latest.set(entry.step, entry);
  const stopped = status.state !== 'connecting';
  const undo = latest.get('undo');
  // once a Connect stopped, the steps it never reached make one line instead of eight
  const notRun = stopped ? CONNECT_STEP_ORDER.filter((step) => !latest.has(step)) : [];
  const repoints = status.steps.filter((entry) => entry.step === 'repoint').slice(-MAX_REPOINTS);
  return (
    <section className="connect-progress" aria-label="Connect progress">
      <ol className="connect-steps">
        {CONNECT_STEP_ORDER.map((step) => {
          const entry = latest.get(step);
          if (entry !== undefined) return <StepRow key={step} step={step} state={entry.state} message={entry.message} />;
          return stopped ? null : <StepRow key={step} step={step} state="waiting" message="" />;
        })}
        {notRun.length > 0 && (
          <li className="connect-step step-skipped" data-step="not-run" data-state="skipped">
            <span className="step-icon" aria-hidden="true">
              {ICONS.skipped}
            </span>
            <span className="step-label">Not run</span>
            <span className="step-message">{notRun.map((step) => STEP_LABELS[step]).join(' · ')}</span>
          </li>
        )}
        {undo !== undefined && <StepRow step="undo" state={undo.state} message={undo.message} />}
        {repoints.map((entry, index) => (
          <StepRow key={`${entry.at}-${index}`} step="repoint" state={entry.state} message={entry.message} />
        ))}
      </ol>
    </section>
  );
}

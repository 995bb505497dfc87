import { useApp, useAppState } from '../store/app-context.js';

/** Freezes the list; shows how many executions changed meanwhile. */
export function PauseButton() {
  const { actions } = useApp();
  const paused = useAppState((s) => s.paused);
  const waiting = useAppState((s) => s.waitingChanges);
  if (!paused) {
    return (
      <button type="button" className="button" onClick={actions.pause} title="Freeze the list">
        ❚❚ Pause
      </button>
    );
  }
  return (
    <button type="button" className="button is-paused" onClick={actions.resume} title="Apply the waiting changes">
      ▶ Resume
      <span className="waiting-count" aria-label={`${waiting} changes waiting`}>
        {waiting}
      </span>
    </button>
  );
}

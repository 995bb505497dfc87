import { useEffect } from 'react';
import { useApp, useAppState } from '../store/app-context.js';

const INFO_MS = 6_000;

/** One banner at a time; information fades by itself, errors stay until dismissed. */
export function Toast() {
  const { actions } = useApp();
  const toast = useAppState((s) => s.toast);
  useEffect(() => {
    if (toast === null || toast.kind === 'error') return;
    const timer = setTimeout(actions.dismissToast, INFO_MS);
    return () => clearTimeout(timer);
  }, [actions, toast]);
  if (toast === null) return null;
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
      <span className="toast-message">{toast.message}</span>
      <button type="button" aria-label="Dismiss" onClick={actions.dismissToast}>
        ×
      </button>
    </div>
  );
}

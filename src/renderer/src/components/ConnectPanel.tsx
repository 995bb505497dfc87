/**
 * The Twilio connection panel, opened from the toolbar's Connect button or the status bar: the
 * Connect form when not connected, the step-by-step progress while connecting, the failure
 * (step, message, what was undone), the live connection with Disconnect, and the core's warnings.
 *
 * The form stays mounted (hidden) while a Connect runs, so that after a failure the user finds
 * what they typed — except the secrets, which the form empties on submit.
 */
import { useEffect } from 'react';
import type { ConnectionStatus } from '../../../shared/contract.js';
import type { ConnectionSync } from '../store/connection-sync.js';
import { useConnectionSync, useConnectionView } from '../store/connection-context.js';
import { ConnectForm } from './ConnectForm.js';
import { ConnectProgress } from './ConnectProgress.js';
import { ConnectedSummary, ConnectFailure, ConnectWarnings, OrphansNote } from './ConnectStatusDetails.js';
import { SecretsStorage } from './SecretsStorage.js';

const STATE_LABELS: Record<ConnectionStatus['state'], string> = {
  idle: 'Not connected',
  connecting: 'Connecting…',
  connected: 'Connected',
  disconnecting: 'Disconnecting…',
  failed: 'Connect failed',
};

function PanelBody({ sync }: { sync: ConnectionSync }) {
  const status = useConnectionView((v) => v.status);
  const settings = useConnectionView((v) => v.settings);
  const loadError = useConnectionView((v) => v.loadError);
  const commandError = useConnectionView((v) => v.commandError);
  const pending = useConnectionView((v) => v.pending);

  if (status === null || settings === null) {
    if (loadError === null) return <div className="loading">Loading…</div>;
    return (
      <div className="inline-error" role="alert">
        {loadError}{' '}
        <button type="button" className="button" onClick={() => void sync.reload()}>
          Retry
        </button>
      </div>
    );
  }
  const live = status.state === 'connected' || status.state === 'disconnecting';
  const formShown = status.state === 'idle' || status.state === 'failed';
  return (
    <>
      {live && <ConnectedSummary status={status} disconnecting={pending === 'disconnect'} onDisconnect={() => void sync.disconnect()} />}
      {status.state === 'failed' && <ConnectFailure status={status} />}
      {commandError !== null && (
        <div className="inline-error command-error" role="alert">
          {commandError}
        </div>
      )}
      <ConnectWarnings warnings={status.warnings} />
      <OrphansNote orphans={status.orphans} />
      {status.steps.length > 0 && <ConnectProgress status={status} />}
      {status.state === 'connecting' && (
        <div className="connect-actions">
          <button type="button" className="button" disabled={pending === 'disconnect'} onClick={() => void sync.disconnect()}>
            Cancel
          </button>
          <span className="field-hint">Cancelling removes whatever this Connect created so far.</span>
        </div>
      )}
      {(formShown || status.state === 'connecting') && <ConnectForm settings={settings} secrets={status.secrets} sync={sync} hidden={!formShown} />}
      {live && Object.values(status.secrets.stored).some(Boolean) && (
        <section className="connect-section">
          <SecretsStorage secrets={status.secrets} sync={sync} />
        </section>
      )}
    </>
  );
}

export function ConnectPanel() {
  const sync = useConnectionSync();
  const open = useConnectionView((v) => v.panelOpen);
  const state = useConnectionView((v) => v.status?.state ?? null);

  useEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') sync.closePanel();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open, sync]);

  if (!open) return null;
  return (
    <aside className="connect-panel" role="dialog" aria-label="Twilio connection">
      <div className="pane-header">
        <span className="pane-title">Twilio connection</span>
        {state !== null && <span className={`connect-state state-${state}`}>{STATE_LABELS[state]}</span>}
        <span className="spacer" />
        <button type="button" className="button" onClick={sync.closePanel}>
          Close
        </button>
      </div>
      <div className="connect-body">
        <PanelBody sync={sync} />
      </div>
    </aside>
  );
}

/**
 * The Storage panel, opened from the toolbar: what is stored (events, executions: the App's stats,
 * kept current by pushes and by the snapshot a 'store.reset' triggers), the retention settings
 * (fetched with retention.get each time the panel opens), and "Clear older than…".
 *
 * A non-modal side panel like the Connect panel: it takes focus when it opens, Escape or Close
 * closes it and gives focus back to where it was, and it closes when another side panel opens.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { RetentionSettings } from '../../../shared/contract.js';
import { formatCount } from '../lib/format.js';
import { useApp, useAppState } from '../store/app-context.js';
import { useConnectionView } from '../store/connection-context.js';
import { useStoragePanel } from '../store/storage-panel.js';
import { messageOf } from '../transport/client.js';
import { ClearOlderThan } from './ClearOlderThan.js';
import { RetentionForm } from './RetentionForm.js';

type RetentionLoad = { kind: 'loading' } | { kind: 'ready'; settings: RetentionSettings } | { kind: 'error'; message: string };

function StoredCounts() {
  const stats = useAppState((s) => s.stats);
  return (
    <section className="storage-section" aria-labelledby="stored-title">
      <h3 className="storage-heading" id="stored-title">
        Stored
      </h3>
      <dl className="stored-counts">
        <div>
          <dt>Executions</dt>
          <dd>{formatCount(stats?.executions)}</dd>
        </div>
        <div>
          <dt>Events</dt>
          <dd>{formatCount(stats?.storedEvents)}</dd>
        </div>
      </dl>
    </section>
  );
}

function PanelBody() {
  const { client } = useApp();
  const [load, setLoad] = useState<RetentionLoad>({ kind: 'loading' });

  const fetchRetention = useCallback(async (isLive: () => boolean) => {
    setLoad({ kind: 'loading' });
    try {
      const settings = await client.call('retention.get', {});
      if (isLive()) setLoad({ kind: 'ready', settings });
    } catch (error) {
      if (isLive()) setLoad({ kind: 'error', message: messageOf(error) });
    }
  }, [client]);

  useEffect(() => {
    let live = true;
    void fetchRetention(() => live);
    return () => {
      live = false;
    };
  }, [fetchRetention]);

  return (
    <>
      <StoredCounts />
      {load.kind === 'loading' && <div className="loading">Loading retention settings…</div>}
      {load.kind === 'error' && (
        <div className="inline-error storage-error" role="alert">
          Could not read the retention settings: {load.message}{' '}
          <button type="button" className="button" onClick={() => void fetchRetention(() => true)}>
            Retry
          </button>
        </div>
      )}
      {load.kind === 'ready' && <RetentionForm client={client} initial={load.settings} />}
      <ClearOlderThan client={client} />
    </>
  );
}

export function StoragePanel() {
  const { open, control } = useStoragePanel();
  const connectOpen = useConnectionView((v) => v.panelOpen);
  const problemsOpen = useAppState((s) => s.panel !== null);
  const panelRef = useRef<HTMLElement>(null);

  // another side panel opened over the same spot: give way
  useEffect(() => {
    if (connectOpen || problemsOpen) control.close();
  }, [connectOpen, problemsOpen, control]);

  useEffect(() => {
    if (!open) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    panelRef.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') control.close();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      // back to the Storage button, unless the user has moved on to something else meanwhile
      const focus = document.activeElement;
      if (opener !== null && opener.isConnected && (focus === null || focus === document.body || panelRef.current?.contains(focus) === true)) {
        opener.focus();
      }
    };
  }, [open, control]);

  if (!open) return null;
  return (
    <aside className="storage-panel" role="dialog" aria-labelledby="storage-title" tabIndex={-1} ref={panelRef}>
      <div className="pane-header">
        <span className="pane-title" id="storage-title">
          Storage
        </span>
        <span className="spacer" />
        <button type="button" className="button" onClick={control.close}>
          Close
        </button>
      </div>
      <div className="storage-body">
        <PanelBody />
      </div>
    </aside>
  );
}

/**
 * Why events were rejected (rejected.list) or requests failed verification (unverified.list).
 * Everything listed is attacker-controllable text and is rendered as React text only.
 */
import { useEffect, useState } from 'react';
import type { RejectedRecord, UnverifiedRecord } from '../../../shared/contract.js';
import { messageOf } from '../transport/client.js';
import { useApp, useAppState } from '../store/app-context.js';

type Loaded =
  | { status: 'loading' }
  | { status: 'error'; message: string }
  | { status: 'rejected'; items: RejectedRecord[] }
  | { status: 'unverified'; items: UnverifiedRecord[] };

function RejectedTable({ items }: { items: RejectedRecord[] }) {
  if (items.length === 0) return <div className="note">No rejected events.</div>;
  return (
    <ul className="problem-list">
      {items.map((item) => (
        <li key={item.id}>
          <div className="problem-head">
            <span className="mono">{item.receivedAt}</span>
            {item.eventId !== null && <span className="mono">{item.eventId}</span>}
            <span className="problem-reason">{item.reason}</span>
          </div>
          <pre className="raw-json">{item.raw}</pre>
        </li>
      ))}
    </ul>
  );
}

function UnverifiedTable({ items }: { items: UnverifiedRecord[] }) {
  if (items.length === 0) return <div className="note">No unverified requests.</div>;
  return (
    <ul className="problem-list">
      {items.map((item, index) => (
        <li key={`${item.receivedAt}-${index}`}>
          <div className="problem-head">
            <span className="mono">{item.receivedAt}</span>
            <span className="mono">{item.remoteAddress ?? 'unknown address'}</span>
            <span className="problem-reason">{item.reason}</span>
          </div>
        </li>
      ))}
    </ul>
  );
}

export function ProblemsPanel() {
  const { actions, client } = useApp();
  const panel = useAppState((s) => s.panel);
  const [loaded, setLoaded] = useState<Loaded>({ status: 'loading' });

  useEffect(() => {
    if (panel === null) return;
    let live = true;
    setLoaded({ status: 'loading' });
    const load = async (): Promise<Loaded> =>
      panel === 'rejected'
        ? { status: 'rejected', items: await client.call('rejected.list', { limit: 200 }) }
        : { status: 'unverified', items: await client.call('unverified.list', {}) };
    load().then(
      (result) => live && setLoaded(result),
      (error: unknown) => live && setLoaded({ status: 'error', message: messageOf(error) }),
    );
    return () => {
      live = false;
    };
  }, [client, panel]);

  if (panel === null) return null;
  const title = panel === 'rejected' ? 'Rejected events' : 'Unverified requests';
  return (
    <aside className="problems-panel" role="dialog" aria-label={title}>
      <div className="pane-header">
        <span className="pane-title">{title}</span>
        <span className="spacer" />
        <button type="button" className="button" onClick={() => actions.setPanel(null)}>
          Close
        </button>
      </div>
      <div className="problems-body">
        {loaded.status === 'loading' && <div className="loading">Loading…</div>}
        {loaded.status === 'error' && <div className="inline-error">{loaded.message}</div>}
        {loaded.status === 'rejected' && <RejectedTable items={loaded.items} />}
        {loaded.status === 'unverified' && <UnverifiedTable items={loaded.items} />}
      </div>
    </aside>
  );
}

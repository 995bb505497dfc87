import type { ReactNode } from 'react';
import type { ReceiverInfo } from '../../../shared/contract.js';
import { SidText } from './CopyButton.js';

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state" role="status">
      <div className="empty-title">{title}</div>
      {children !== undefined && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function NoEventsYet({ receiver }: { receiver: ReceiverInfo | null }) {
  const url = receiver?.publicUrl || receiver?.localUrl || null;
  return (
    <EmptyState title="No events yet">
      <p>
        Run <code>npm run demo</code> in another terminal, or connect your Twilio account.
      </p>
      {url !== null && (
        <p className="webhook-url">
          Webhook URL: <SidText sid={url} label="webhook URL" />
        </p>
      )}
    </EmptyState>
  );
}

/** The headless server refuses this page's token (a wrong, missing or stale `?token=`). */
export function NotAuthorized({ hasToken }: { hasToken: boolean }) {
  return (
    <EmptyState title="Not authorized">
      <p>
        {hasToken
          ? 'Flowscope refused the token in this page’s address.'
          : 'This page’s address has no token.'}{' '}
        Open the <strong>UI URL</strong> that <code>npm run serve</code> printed (it ends in <code>?token=…</code>).
        The token is kept in the server’s data directory (<code>ui-token</code>); it changes only when that file is removed.
      </p>
    </EmptyState>
  );
}

export function NoMatches({ onClear }: { onClear: () => void }) {
  return (
    <EmptyState title="No executions match these filters">
      <button type="button" className="button" onClick={onClear}>
        Clear filters
      </button>
    </EmptyState>
  );
}

export function NoSelection() {
  return (
    <EmptyState title="No execution selected">
      <p>
        Click an execution, or move with <kbd>↑</kbd>/<kbd>↓</kbd> and open it with <kbd>Enter</kbd>, to see its
        steps and raw events.
      </p>
    </EmptyState>
  );
}

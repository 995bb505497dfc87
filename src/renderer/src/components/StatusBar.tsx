/**
 * Receiver URL, event counters and the transport's connection state. Rejected events and
 * unverified requests open a panel that lists why.
 */
import type { ReactNode } from 'react';
import { useApp, useAppState } from '../store/app-context.js';
import { formatCount, formatRate } from '../lib/format.js';
import { SidText } from './CopyButton.js';
import { TwilioStatus } from './TwilioStatus.js';

const CONNECTION_LABELS = {
  open: 'Connected',
  connecting: 'Connecting…',
  closed: 'Disconnected — reconnecting',
} as const;

function Counter({ label, value, children }: { label: string; value: string; children?: ReactNode }) {
  return (
    <span className="counter" data-counter={label}>
      <span className="counter-label">{label}</span> <span className="counter-value">{value}</span>
      {children}
    </span>
  );
}

export function StatusBar() {
  const { actions } = useApp();
  const stats = useAppState((s) => s.stats);
  const receiver = useAppState((s) => s.receiver);
  const connection = useAppState((s) => s.connection);
  const refused = useAppState((s) => s.access === 'refused');
  const transportKind = useAppState((s) => s.transportKind);
  const busy = useAppState((s) => s.busy);
  const url = receiver?.publicUrl || receiver?.localUrl || null;
  const rejected = stats?.rejectedEvents ?? 0;
  const unverified = stats?.unverifiedRequests ?? 0;
  return (
    <footer className="status-bar">
      <span className={`connection connection-${refused ? 'refused' : connection}`} title={`Transport: ${transportKind}`}>
        <span className="dot" aria-hidden="true" />
        {refused ? 'Not authorized' : CONNECTION_LABELS[connection]}
      </span>
      <span className="receiver">
        {url === null ? (
          'Receiver: —'
        ) : (
          <>
            Receiver <SidText sid={url} label="receiver URL" />
            {receiver !== null && !receiver.verifying && <span className="warn"> (signatures not checked)</span>}
          </>
        )}
      </span>
      <TwilioStatus />
      {busy !== null && <span className="busy">{busy}</span>}
      <span className="spacer" />
      <Counter label="Received" value={formatCount(stats?.receivedEvents)} />
      <Counter label="Events/s" value={formatRate(stats?.eventsPerSecond)} />
      <Counter label="Duplicates" value={formatCount(stats?.duplicatesIgnored)} />
      <button
        type="button"
        className={`counter-button ${rejected > 0 ? 'has-problems' : ''}`}
        onClick={() => actions.setPanel('rejected')}
        title="Events kept aside as invalid: see why"
      >
        Rejected <span className="counter-value">{formatCount(stats?.rejectedEvents)}</span>
      </button>
      <button
        type="button"
        className={`counter-button ${unverified > 0 ? 'has-problems' : ''}`}
        onClick={() => actions.setPanel('unverified')}
        title="Requests whose Twilio signature did not verify: see why"
      >
        Unverified <span className="counter-value">{formatCount(stats?.unverifiedRequests)}</span>
      </button>
      <Counter label="Stored" value={formatCount(stats?.storedEvents)} />
    </footer>
  );
}

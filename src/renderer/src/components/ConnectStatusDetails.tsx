/**
 * What the Connect panel says about the connection itself: the live connection's details, a
 * failed Connect (which step, Twilio's or ngrok's message, and what was undone), the core's
 * warnings, and what the clean-up of earlier runs found. All text comes from the core, already
 * free of secrets, and is rendered as React text only.
 */
import type { ConnectionStatus } from '../../../shared/contract.js';
import { formatClock } from '../lib/format.js';
import { STEP_LABELS, STUDIO_EVENT_CHOICES, verificationText } from '../lib/connection-text.js';
import { useNow } from '../lib/use-now.js';
import { SidText } from './CopyButton.js';

function tunnelNote(provider: string | undefined): string {
  if (provider === 'ngrok') return 'ngrok tunnel';
  if (provider === 'static' || provider === undefined) return 'your own URL, no tunnel';
  return `${provider} tunnel`;
}

function eventTypeLabel(type: string): string {
  return STUDIO_EVENT_CHOICES.find((choice) => choice.type === type)?.label ?? type;
}

function TunnelState({ tunnel }: { tunnel: NonNullable<ConnectionStatus['tunnel']> }) {
  const now = useNow();
  if (tunnel.state === 'online') return null;
  const seconds = tunnel.nextRetryAt === null ? null : Math.max(0, Math.ceil((Date.parse(tunnel.nextRetryAt) - now) / 1000));
  const when = tunnel.state === 'reconnecting' && seconds !== null && seconds > 0 ? ` in ${seconds} s` : '';
  return (
    <div className={tunnel.state === 'failed' ? 'inline-error' : 'connect-warning'} role="status">
      Tunnel {tunnel.state}
      {when}
      {tunnel.message === null ? '' : `: ${tunnel.message}`}
    </div>
  );
}

export function ConnectedSummary({ status, onDisconnect, disconnecting }: { status: ConnectionStatus; onDisconnect: () => void; disconnecting: boolean }) {
  const now = Date.now();
  return (
    <section className="connected-summary" aria-label="Connection">
      <div className="connected-head">
        <span className="connected-account">{status.friendlyName || 'Twilio account'}</span>
        <span className="spacer" />
        <button type="button" className="button danger" disabled={disconnecting || status.state !== 'connected'} onClick={onDisconnect}>
          {status.state === 'disconnecting' ? 'Disconnecting…' : 'Disconnect'}
        </button>
      </div>
      {status.tunnel !== null && <TunnelState tunnel={status.tunnel} />}
      <dl className="connected-facts">
        <dt>Account</dt>
        <dd>
          {status.accountSid !== null && <SidText sid={status.accountSid} label="Account SID" />}
          {status.credentialKind === 'api-key' && <span className="dim"> (API key)</span>}
        </dd>
        <dt>Public URL</dt>
        <dd>
          {status.publicUrl ?? '—'} <span className="dim">({tunnelNote(status.tunnel?.provider)})</span>
        </dd>
        <dt>Twilio posts to</dt>
        <dd>{status.destinationUrl === null ? '—' : <SidText sid={status.destinationUrl} label="sink destination" />}</dd>
        <dt>Sink</dt>
        <dd>{status.sinkSid === null ? '—' : <SidText sid={status.sinkSid} label="sink SID" />}</dd>
        <dt>Subscription</dt>
        <dd>{status.subscriptionSid === null ? '—' : <SidText sid={status.subscriptionSid} label="subscription SID" />}</dd>
        <dt>Events</dt>
        <dd>{status.eventTypes.map(eventTypeLabel).join(', ')}</dd>
        <dt>Deliveries</dt>
        <dd className={status.verification === 'signature' ? undefined : 'warn'}>{verificationText(status.verification)}</dd>
        <dt>Test event</dt>
        <dd>
          {status.lastSinkTest === null
            ? '—'
            : `round trip ${status.lastSinkTest.roundTripMs} ms (arrived ${formatClock(status.lastSinkTest.receivedAt, now)})`}
        </dd>
        {status.connectedAt !== null && (
          <>
            <dt>Since</dt>
            <dd>{formatClock(status.connectedAt, now)}</dd>
          </>
        )}
      </dl>
    </section>
  );
}

export function ConnectFailure({ status }: { status: ConnectionStatus }) {
  if (status.error === null) return null;
  const undo = [...status.steps].reverse().find((entry) => entry.step === 'undo');
  return (
    <section className="connect-failure" role="alert" aria-label="Connect failed">
      <div className="failure-title">Connect failed at “{STEP_LABELS[status.error.step]}”</div>
      <div className="failure-message">
        {status.error.message}
        {status.error.code !== null && !status.error.message.includes(status.error.code) && <span className="dim mono"> ({status.error.code})</span>}
      </div>
      <div className={undo?.state === 'failed' ? 'failure-undo warn' : 'failure-undo'}>
        {undo === undefined ? 'Nothing had been created yet, so nothing was left behind.' : `Undone: ${undo.message}`}
      </div>
    </section>
  );
}

export function ConnectWarnings({ warnings }: { warnings: string[] }) {
  if (warnings.length === 0) return null;
  return (
    <ul className="connect-warnings" aria-label="Warnings">
      {warnings.map((warning) => (
        <li key={warning} className="connect-warning">
          {warning}
        </li>
      ))}
    </ul>
  );
}

export function OrphansNote({ orphans }: { orphans: ConnectionStatus['orphans'] }) {
  if (orphans === null || (orphans.removedSinks === 0 && orphans.otherInstallSinks === 0)) return null;
  const parts: string[] = [];
  if (orphans.removedSinks > 0) parts.push(`Removed ${orphans.removedSinks} sink${orphans.removedSinks === 1 ? '' : 's'} left behind by an earlier run.`);
  if (orphans.otherInstallSinks > 0) {
    parts.push(
      `${orphans.otherInstallSinks} sink${orphans.otherInstallSinks === 1 ? '' : 's'} of other Flowscope installs left alone (Advanced settings can delete them).`,
    );
  }
  return <div className="connect-note">{parts.join(' ')}</div>;
}

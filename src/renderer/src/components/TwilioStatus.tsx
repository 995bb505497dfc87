/**
 * The status bar's line about the Twilio connection ("Twilio: connected via ngrok https://…",
 * "Twilio: tunnel reconnecting in 8 s", "Twilio: not connected"); a click opens the Connect
 * panel. Nothing is shown until the core has answered connection.get.
 */
import type { ConnectionStatus } from '../../../shared/contract.js';
import { connectionLine } from '../lib/connection-text.js';
import { useNow } from '../lib/use-now.js';
import { useConnectionSync, useConnectionView } from '../store/connection-context.js';

function Line({ status, now, onClick }: { status: ConnectionStatus; now: number; onClick: () => void }) {
  const line = connectionLine(status, now);
  return (
    <button type="button" className={`twilio-status tone-${line.tone}`} title={`${line.text} — open the Twilio connection panel`} onClick={onClick}>
      <span className="twilio-dot" aria-hidden="true" />
      <span className="twilio-status-text">{line.text}</span>
    </button>
  );
}

/** Ticks every second, for the reconnect countdown only. */
function TickingLine(props: { status: ConnectionStatus; onClick: () => void }) {
  return <Line {...props} now={useNow()} />;
}

export function TwilioStatus() {
  const sync = useConnectionSync();
  const status = useConnectionView((v) => v.status);
  if (status === null) return null;
  if (status.state === 'connected' && status.tunnel?.state === 'reconnecting') return <TickingLine status={status} onClick={sync.openPanel} />;
  return <Line status={status} now={Date.now()} onClick={sync.openPanel} />;
}

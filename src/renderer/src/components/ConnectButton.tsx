/** The toolbar's entry to the Twilio connection: "Connect Twilio", or "Connected · <account>". */
import { connectButtonLabel } from '../lib/connection-text.js';
import { useConnectionSync, useConnectionView } from '../store/connection-context.js';

export function ConnectButton() {
  const sync = useConnectionSync();
  const status = useConnectionView((v) => v.status);
  const state = status?.state ?? 'unknown';
  return (
    <button
      type="button"
      className={`button connect-button connect-button-${state}`}
      aria-haspopup="dialog"
      title={state === 'connected' ? 'Twilio connection: details and Disconnect' : 'Connect your Twilio account'}
      onClick={sync.openPanel}
    >
      <span className="twilio-dot" aria-hidden="true" />
      {connectButtonLabel(status)}
    </button>
  );
}

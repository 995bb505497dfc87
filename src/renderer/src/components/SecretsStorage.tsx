/**
 * Where secrets are kept (said plainly when that is not encrypted), which ones are stored or come
 * from the environment, and the button that forgets them. Only booleans are known here: secrets
 * are write-only from the UI's point of view.
 */
import type { ConnectionSecretName, SecretsStatus } from '../../../shared/contract.js';
import { storageText } from '../lib/connection-text.js';
import type { ConnectionSync } from '../store/connection-sync.js';
import { useConnectionView } from '../store/connection-context.js';

const SECRET_LABELS: Record<ConnectionSecretName, string> = {
  'twilio.authToken': 'Auth Token',
  'twilio.apiKeySecret': 'API Key secret',
  'ngrok.authtoken': 'ngrok authtoken',
};

export function SecretsStorage({ secrets, sync }: { secrets: SecretsStatus; sync: ConnectionSync }) {
  const forgetting = useConnectionView((v) => v.pending === 'forget');
  const stored = (Object.keys(SECRET_LABELS) as ConnectionSecretName[]).filter((name) => secrets.stored[name]);
  const environment = [secrets.fromEnvironment.twilio ? 'Twilio credentials' : null, secrets.fromEnvironment.ngrok ? 'ngrok authtoken' : null].filter((x) => x !== null);
  const plain = !secrets.canRemember || !secrets.encrypted;
  return (
    <div className="secrets-storage" data-testid="secrets-storage">
      <div className={plain ? 'storage-note warn' : 'storage-note'}>{storageText(secrets)}</div>
      <div className="stored-line">
        {stored.length === 0 ? 'No secret is stored.' : `Stored: ${stored.map((name) => SECRET_LABELS[name]).join(', ')}.`}
        {environment.length > 0 && ` From the environment: ${environment.join(', ')}.`}
        {stored.length > 0 && (
          <button type="button" className="button" disabled={forgetting} onClick={() => void sync.forgetSecrets()}>
            Forget stored secrets
          </button>
        )}
      </div>
    </div>
  );
}

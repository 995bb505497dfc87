/**
 * The Connect form: Twilio credentials (Auth Token, or an API key), how Twilio reaches this
 * computer (ngrok, or the user's own public URL), whether to remember the secrets, advanced
 * settings. Submitting calls connection.connect.
 *
 * Security: typed secrets live only in this component's state, are emptied the moment the form
 * is submitted (and vanish with the component), and are never put in a store or logged. Stored
 * secrets are never read back: a field only says that one is stored.
 */
import { useRef, useState, type FormEvent } from 'react';
import type { ConnectionSettings, SecretsStatus } from '../../../shared/contract.js';
import { connectParams, initialFormValues, settingsToClear, validateConnectForm, withoutSecrets, type ConnectFormValues } from '../lib/connect-form.js';
import { secretPlaceholder } from '../lib/connection-text.js';
import type { ConnectionSync } from '../store/connection-sync.js';
import { useConnectionView } from '../store/connection-context.js';
import { ConnectAdvanced } from './ConnectAdvanced.js';
import { CheckField, TextField } from './ConnectFields.js';
import { SecretsStorage } from './SecretsStorage.js';

export function ConnectForm({ settings, secrets, sync, hidden = false }: { settings: ConnectionSettings; secrets: SecretsStatus; sync: ConnectionSync; hidden?: boolean }) {
  const [values, setValues] = useState<ConnectFormValues>(() => initialFormValues(settings, secrets));
  const [checked, setChecked] = useState(false);
  const pending = useConnectionView((v) => v.pending);
  const formRef = useRef<HTMLFormElement>(null);
  const update = (patch: Partial<ConnectFormValues>) => setValues((current) => ({ ...current, ...patch }));
  const errors = checked ? validateConnectForm(values, secrets) : {};
  const { stored, fromEnvironment } = secrets;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChecked(true);
    const problems = validateConnectForm(values, secrets);
    if (Object.keys(problems).length > 0) {
      // after this render, move to the first field that needs attention
      setTimeout(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"], .event-types input')?.focus(), 0);
      return;
    }
    const params = connectParams(values);
    const clear = settingsToClear(values, settings);
    setValues(withoutSecrets(values));
    setChecked(false);
    void sync.connect(params, clear);
  };

  return (
    <form className="connect-form" ref={formRef} onSubmit={submit} noValidate hidden={hidden} aria-label="Connect to Twilio">
      <fieldset className="connect-section">
        <legend>Twilio account</legend>
        <TextField
          id="connect-account-sid"
          label="Account SID"
          value={values.accountSid}
          onChange={(accountSid) => update({ accountSid })}
          error={errors.accountSid}
          placeholder={fromEnvironment.twilio ? 'from the environment (leave empty to use it)' : 'AC…'}
          mono
        />
        <TextField
          id="connect-auth-token"
          label={values.useApiKey ? 'Auth Token (recommended, to verify signatures)' : 'Auth Token'}
          type="password"
          value={values.authToken}
          onChange={(authToken) => update({ authToken })}
          error={errors.authToken}
          placeholder={secretPlaceholder(stored['twilio.authToken'], fromEnvironment.twilio, '32 hexadecimal digits')}
          hint={
            values.useApiKey
              ? 'Twilio signs every delivery with the Auth Token, so Flowscope needs it to check X-Twilio-Signature. Without it, the sink URL is guarded by a random HTTP Basic password instead.'
              : undefined
          }
          mono
        />
        <CheckField id="connect-use-api-key" label="Use an API key instead" checked={values.useApiKey} onChange={(useApiKey) => update({ useApiKey })} />
        {values.useApiKey && (
          <div className="field-row">
            <TextField id="connect-api-key-sid" label="API Key SID" value={values.apiKeySid} onChange={(apiKeySid) => update({ apiKeySid })} error={errors.apiKeySid} placeholder="SK…" mono />
            <TextField
              id="connect-api-key-secret"
              label="API Key secret"
              type="password"
              value={values.apiKeySecret}
              onChange={(apiKeySecret) => update({ apiKeySecret })}
              error={errors.apiKeySecret}
              placeholder={secretPlaceholder(stored['twilio.apiKeySecret'], fromEnvironment.twilio, '32 letters and digits')}
              mono
            />
          </div>
        )}
      </fieldset>

      <fieldset className="connect-section">
        <legend>How Twilio reaches this computer</legend>
        <div className="radio-row" role="radiogroup" aria-label="Tunnel or own URL">
          <label>
            <input type="radio" name="connect-url-mode" checked={values.urlMode === 'ngrok'} onChange={() => update({ urlMode: 'ngrok' })} />
            ngrok tunnel
          </label>
          <label>
            <input type="radio" name="connect-url-mode" checked={values.urlMode === 'own'} onChange={() => update({ urlMode: 'own' })} />I have my own public URL
          </label>
        </div>
        {values.urlMode === 'ngrok' ? (
          <div className="field-row">
            <TextField
              id="connect-ngrok-authtoken"
              label="ngrok authtoken"
              type="password"
              value={values.ngrokAuthtoken}
              onChange={(ngrokAuthtoken) => update({ ngrokAuthtoken })}
              error={errors.ngrokAuthtoken}
              placeholder={secretPlaceholder(stored['ngrok.authtoken'], fromEnvironment.ngrok, 'from dashboard.ngrok.com')}
              mono
            />
            <TextField
              id="connect-ngrok-domain"
              label="Reserved domain (optional)"
              value={values.ngrokDomain}
              onChange={(ngrokDomain) => update({ ngrokDomain })}
              error={errors.ngrokDomain}
              placeholder="your account's dev domain"
              mono
            />
          </div>
        ) : (
          <TextField
            id="connect-public-url"
            label="Public URL"
            type="url"
            value={values.publicUrl}
            onChange={(publicUrl) => update({ publicUrl })}
            error={errors.publicUrl}
            placeholder="https://flowscope.example.com"
            hint={`It must reach this computer's webhook receiver; Flowscope adds the receiver path (${settings.receiverPath}). No tunnel is opened.`}
            mono
          />
        )}
      </fieldset>

      <fieldset className="connect-section">
        <legend>Secrets</legend>
        <CheckField
          id="connect-remember"
          label="Remember credentials"
          checked={values.remember && secrets.canRemember}
          disabled={!secrets.canRemember}
          onChange={(remember) => update({ remember })}
        />
        <SecretsStorage secrets={secrets} sync={sync} />
      </fieldset>

      <ConnectAdvanced values={values} update={update} errors={errors} settings={settings} sync={sync} />

      <div className="connect-actions">
        <button type="submit" className="button primary" disabled={pending === 'connect'}>
          Connect
        </button>
        <span className="field-hint">Creates a webhook sink and a subscription in your account; Disconnect deletes them.</span>
      </div>
    </form>
  );
}

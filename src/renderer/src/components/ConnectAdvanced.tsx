/**
 * The Connect form's advanced settings (collapsed): which Studio event types to subscribe to,
 * whether to remove other installs' sinks, and the receiver's path and port, which apply at the
 * next start and so are saved on their own (settings.set) rather than sent with Connect.
 */
import { useState } from 'react';
import type { ConnectionSettings } from '../../../shared/contract.js';
import type { ConnectFormErrors, ConnectFormValues } from '../lib/connect-form.js';
import { isReceiverPath } from '../../../shared/receiver-path.js';
import { STUDIO_EVENT_CHOICES } from '../lib/connection-text.js';
import type { ConnectionSync } from '../store/connection-sync.js';
import { useConnectionView } from '../store/connection-context.js';
import { CheckField, TextField } from './ConnectFields.js';


function receiverProblems(path: string, port: string): { path?: string; port?: string } {
  const problems: { path?: string; port?: string } = {};
  if (!isReceiverPath(path.trim())) problems.path = 'The path starts with / and holds only letters, digits and - . _ ~ /, with no empty segment (//).';
  const trimmed = port.trim();
  if (trimmed !== '' && !(/^\d+$/.test(trimmed) && Number(trimmed) <= 65535)) problems.port = 'A port is a number from 1 to 65535 (empty: any free port).';
  return problems;
}

function ReceiverSettings({ settings, sync }: { settings: ConnectionSettings; sync: ConnectionSync }) {
  const [path, setPath] = useState(settings.receiverPath);
  const [port, setPort] = useState(settings.receiverPort === null ? '' : String(settings.receiverPort));
  const [saved, setSaved] = useState(false);
  const saving = useConnectionView((v) => v.pending === 'settings');
  const problems = receiverProblems(path, port);
  const changed = path.trim() !== settings.receiverPath || port.trim() !== (settings.receiverPort === null ? '' : String(settings.receiverPort));
  const save = async () => {
    const trimmed = port.trim();
    setSaved(await sync.saveSettings({ receiverPath: path.trim(), receiverPort: trimmed === '' || trimmed === '0' ? null : Number(trimmed) }));
  };
  return (
    <fieldset className="receiver-settings">
      <legend>Webhook receiver</legend>
      <div className="field-row">
        <TextField id="connect-receiver-path" label="Receiver path" value={path} onChange={(v) => {
            setPath(v);
            setSaved(false);
          }} error={problems.path} mono />
        <TextField id="connect-receiver-port" label="Receiver port" value={port} onChange={(v) => {
            setPort(v);
            setSaved(false);
          }} error={problems.port} placeholder="any free port" mono />
      </div>
      <div className="field-hint">
        Applies at the next start of Flowscope (a <code>--port</code> given to <code>serve</code> wins).
      </div>
      <button type="button" className="button" disabled={!changed || saving || problems.path !== undefined || problems.port !== undefined} onClick={() => void save()}>
        Save for next start
      </button>
      {saved && !changed && <span className="saved-note">Saved.</span>}
    </fieldset>
  );
}

export function ConnectAdvanced({
  values,
  update,
  errors,
  settings,
  sync,
}: {
  values: ConnectFormValues;
  update: (patch: Partial<ConnectFormValues>) => void;
  errors: ConnectFormErrors;
  settings: ConnectionSettings;
  sync: ConnectionSync;
}) {
  const toggleType = (type: string, on: boolean) => {
    const chosen = new Set(values.eventTypes);
    if (on) chosen.add(type);
    else chosen.delete(type);
    // keep Studio's order, and any other type the settings held
    const known = STUDIO_EVENT_CHOICES.map((choice) => choice.type);
    update({ eventTypes: [...known.filter((t) => chosen.has(t)), ...[...chosen].filter((t) => !known.includes(t))] });
  };
  return (
    <details className="connect-advanced">
      <summary>Advanced settings</summary>
      <fieldset className="event-types" aria-describedby={errors.eventTypes === undefined ? undefined : 'connect-event-types-error'}>
        <legend>Studio event types (schema version 1)</legend>
        {STUDIO_EVENT_CHOICES.map((choice) => (
          <label key={choice.type} className="event-type">
            <input type="checkbox" checked={values.eventTypes.includes(choice.type)} onChange={(event) => toggleType(choice.type, event.target.checked)} />
            {choice.label} <span className="mono dim">{choice.type}</span>
          </label>
        ))}
        {errors.eventTypes !== undefined && (
          <div className="field-error" id="connect-event-types-error">
            {errors.eventTypes}
          </div>
        )}
      </fieldset>
      <CheckField
        id="connect-remove-others"
        label="Also delete sinks left by other Flowscope installs"
        checked={values.removeOtherInstalls}
        onChange={(removeOtherInstalls) => update({ removeOtherInstalls })}
        hint="Off: they are counted and left alone (another computer may still be using them)."
      />
      <ReceiverSettings settings={settings} sync={sync} />
    </details>
  );
}

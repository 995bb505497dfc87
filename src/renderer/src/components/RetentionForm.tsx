/**
 * The retention settings (retention.get / retention.set): keep at most N days, at most N events;
 * empty means no limit. Saving makes the core enforce the new limits at once, and retention.set
 * answers with what that removed, which the note states. The note never reads pushes: a
 * 'store.reset' can come from anything (another client's import, the hourly retention). The list
 * and the counts refresh through the 'store.reset' the core pushes after removing (App.flush ->
 * snapshot).
 */
import { useRef, useState, type FormEvent } from 'react';
import type { CommandResult, RetentionSettings } from '../../../shared/contract.js';
import {
  describeRemoved,
  describeRetention,
  parseRetentionForm,
  retentionToForm,
  type RetentionField,
  type RetentionFormErrors,
  type RetentionFormValues,
} from '../lib/retention-form.js';
import { messageOf, type Client } from '../transport/client.js';

type SaveStatus =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; saved: CommandResult<'retention.set'> }
  | { kind: 'error'; message: string };

interface LimitFieldProps {
  field: RetentionField;
  label: string;
  placeholder: string;
  value: string;
  error: string | undefined;
  inputMode: 'decimal' | 'numeric';
  inputRef: (element: HTMLInputElement | null) => void;
  onChange: (value: string) => void;
}

function LimitField({ field, label, placeholder, value, error, inputMode, inputRef, onChange }: LimitFieldProps) {
  const id = `retention-${field}`;
  return (
    <div className={`field ${error === undefined ? '' : 'has-error'}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        ref={inputRef}
        type="text"
        inputMode={inputMode}
        autoComplete="off"
        spellCheck={false}
        value={value}
        placeholder={placeholder}
        aria-invalid={error !== undefined}
        aria-describedby={error === undefined ? undefined : `${id}-error`}
        onChange={(event) => onChange(event.target.value)}
      />
      {error !== undefined && (
        <div className="field-error" id={`${id}-error`}>
          {error}
        </div>
      )}
    </div>
  );
}

/** "Saved. Keep 14 days, at most 30 events. Removed 12 older executions (340 events)." */
function SavedNote({ saved }: { saved: CommandResult<'retention.set'> }) {
  const removed = describeRemoved(saved);
  return (
    <>
      <span className="saved-note">Saved.</span> {describeRetention(saved.settings)}
      {removed !== null && (
        <>
          {' '}
          <span className="storage-removed">{removed}</span>
        </>
      )}
    </>
  );
}

export function RetentionForm({ client, initial }: { client: Client; initial: RetentionSettings }) {
  const [values, setValues] = useState<RetentionFormValues>(() => retentionToForm(initial));
  const [errors, setErrors] = useState<RetentionFormErrors>({});
  const [status, setStatus] = useState<SaveStatus>({ kind: 'idle' });
  const inputs = useRef<Partial<Record<RetentionField, HTMLInputElement | null>>>({});

  const change = (field: RetentionField, value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    setErrors((current) => ({ ...current, [field]: undefined }));
    if (status.kind !== 'saving') setStatus({ kind: 'idle' });
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (status.kind === 'saving') return;
    const parsed = parseRetentionForm(values);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      const first: RetentionField = parsed.errors.maxAgeDays !== undefined ? 'maxAgeDays' : 'maxEvents';
      inputs.current[first]?.focus();
      return;
    }
    setErrors({});
    setStatus({ kind: 'saving' });
    try {
      const saved = await client.call('retention.set', parsed.settings);
      setValues(retentionToForm(saved.settings));
      setStatus({ kind: 'saved', saved });
    } catch (error) {
      setStatus({ kind: 'error', message: messageOf(error) });
    }
  };

  return (
    <form className="storage-section" aria-labelledby="retention-title" noValidate onSubmit={(event) => void save(event)}>
      <h3 className="storage-heading" id="retention-title">
        Retention
      </h3>
      <p className="field-hint storage-hint">
        Whole executions are removed, oldest first; one still receiving events is kept. Age counts from an execution’s latest
        event or from when Flowscope received it, whichever is later. Applied when saved, then hourly.
      </p>
      <div className="field-row">
        <LimitField
          field="maxAgeDays"
          label="Maximum age (days)"
          placeholder="No age limit"
          value={values.maxAgeDays}
          error={errors.maxAgeDays}
          inputMode="decimal"
          inputRef={(element) => {
            inputs.current.maxAgeDays = element;
          }}
          onChange={(value) => change('maxAgeDays', value)}
        />
        <LimitField
          field="maxEvents"
          label="Maximum number of events"
          placeholder="No limit"
          value={values.maxEvents}
          error={errors.maxEvents}
          inputMode="numeric"
          inputRef={(element) => {
            inputs.current.maxEvents = element;
          }}
          onChange={(value) => change('maxEvents', value)}
        />
      </div>
      <div className="field-hint">Leave a field empty for no limit.</div>
      <div className="storage-actions">
        <button type="submit" className="button primary" disabled={status.kind === 'saving'}>
          {status.kind === 'saving' ? 'Saving…' : 'Save'}
        </button>
        <div className="storage-outcome" role="status">
          {status.kind === 'saved' && <SavedNote saved={status.saved} />}
        </div>
      </div>
      {status.kind === 'error' && (
        <div className="inline-error storage-error" role="alert">
          Not saved: {status.message}
        </div>
      )}
    </form>
  );
}

/**
 * "Clear older than…": pick 1 / 7 / 30 days or a date and time, confirm, then store.clearOlderThan.
 * The cut-off is fixed when the user asks to clear, shown in the confirmation, and sent exactly as
 * shown. It goes by event time: an execution whose latest activity is before it is deleted even if
 * it was imported a minute ago (src/core/store/retention.ts). The core pushes 'store.reset'
 * afterwards, which refreshes the list and the counts.
 */
import { useEffect, useRef, useState } from 'react';
import { CLEAR_CHOICES, clearCutoff, describeDeleted, formatCutoff, type ClearChoice } from '../lib/retention-form.js';
import { messageOf, type Client } from '../transport/client.js';

type ClearStep =
  | { kind: 'choose'; problem: string | null }
  | { kind: 'confirm'; cutoffMs: number }
  | { kind: 'clearing'; cutoffMs: number }
  | { kind: 'done'; text: string }
  | { kind: 'error'; message: string };

export function ClearOlderThan({ client, now = Date.now }: { client: Client; now?: () => number }) {
  const [choice, setChoice] = useState<ClearChoice>('30d');
  const [custom, setCustom] = useState('');
  const [step, setStep] = useState<ClearStep>({ kind: 'choose', problem: null });
  const cancelRef = useRef<HTMLButtonElement>(null);
  const confirming = step.kind === 'confirm' || step.kind === 'clearing';

  // the confirmation takes focus on its safe button, so Enter does not delete by accident
  useEffect(() => {
    if (step.kind === 'confirm') cancelRef.current?.focus();
  }, [step.kind]);

  const ask = () => {
    const cutoff = clearCutoff(choice, custom, now());
    setStep(cutoff.ok ? { kind: 'confirm', cutoffMs: cutoff.ms } : { kind: 'choose', problem: cutoff.message });
  };

  const clear = async (cutoffMs: number) => {
    setStep({ kind: 'clearing', cutoffMs });
    try {
      const counts = await client.call('store.clearOlderThan', { before: new Date(cutoffMs).toISOString() });
      setStep({ kind: 'done', text: describeDeleted(counts) });
    } catch (error) {
      setStep({ kind: 'error', message: messageOf(error) });
    }
  };

  const pick = (next: ClearChoice) => {
    setChoice(next);
    setStep({ kind: 'choose', problem: null });
  };

  return (
    <section className="storage-section" aria-labelledby="clear-title">
      <h3 className="storage-heading" id="clear-title">
        Clear older than…
      </h3>
      <p className="field-hint storage-hint">
        Goes by event time: an execution goes when its latest activity is older than the time you pick, even if it was imported
        recently.
      </p>
      <div className="radio-row clear-choices" role="radiogroup" aria-labelledby="clear-title">
        {CLEAR_CHOICES.map((entry) => (
          <label key={entry.choice}>
            <input
              type="radio"
              name="clear-older-than"
              value={entry.choice}
              checked={choice === entry.choice}
              disabled={confirming}
              onChange={() => pick(entry.choice)}
            />
            {entry.label}
          </label>
        ))}
      </div>
      {choice === 'custom' && (
        <div className={`field ${step.kind === 'choose' && step.problem !== null ? 'has-error' : ''}`}>
          <label htmlFor="clear-custom">Delete executions with no activity since</label>
          <input
            id="clear-custom"
            type="datetime-local"
            value={custom}
            disabled={confirming}
            aria-invalid={step.kind === 'choose' && step.problem !== null}
            aria-describedby={step.kind === 'choose' && step.problem !== null ? 'clear-problem' : undefined}
            onChange={(event) => {
              setCustom(event.target.value);
              setStep({ kind: 'choose', problem: null });
            }}
          />
        </div>
      )}
      {step.kind === 'choose' && step.problem !== null && (
        <div className="field-error" id="clear-problem">
          {step.problem}
        </div>
      )}
      {confirming ? (
        <div className="clear-confirm" role="group" aria-labelledby="clear-confirm-text">
          <p id="clear-confirm-text">
            Executions whose latest activity is before <strong>{formatCutoff(step.cutoffMs)}</strong> will be deleted. This cannot
            be undone.
          </p>
          <div className="storage-actions">
            <button type="button" className="button danger" disabled={step.kind === 'clearing'} onClick={() => void clear(step.cutoffMs)}>
              {step.kind === 'clearing' ? 'Deleting…' : 'Delete'}
            </button>
            <button type="button" className="button" ref={cancelRef} disabled={step.kind === 'clearing'} onClick={() => setStep({ kind: 'choose', problem: null })}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div className="storage-actions">
          <button type="button" className="button" onClick={ask}>
            Clear…
          </button>
        </div>
      )}
      <div className="saved-note" role="status">
        {step.kind === 'done' ? step.text : ''}
      </div>
      {step.kind === 'error' && (
        <div className="inline-error storage-error" role="alert">
          Clearing failed: {step.message}
        </div>
      )}
    </section>
  );
}

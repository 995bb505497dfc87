import { useEffect, useState, type MouseEvent } from 'react';
import { copyText } from '../lib/clipboard.js';

/** Two overlapping sheets; drawn inline so it needs no icon font (and no innerHTML). */
function CopyIcon() {
  return (
    <svg viewBox="0 0 16 16" width="11" height="11" aria-hidden="true" focusable="false">
      <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
      <path d="M3 11H2.5A1.5 1.5 0 0 1 1 9.5v-7A1.5 1.5 0 0 1 2.5 1h7A1.5 1.5 0 0 1 11 2.5V3" fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}

/** A small copy-to-clipboard button; `label` names what it copies (for screen readers). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 1_200);
    return () => clearTimeout(timer);
  }, [state]);
  const onClick = (event: MouseEvent) => {
    event.stopPropagation();
    void copyText(text).then((ok) => setState(ok ? 'copied' : 'failed'));
  };
  return (
    <button type="button" className={`copy-button copy-${state}`} title={`Copy ${label}`} aria-label={`Copy ${label}`} onClick={onClick}>
      {state === 'copied' ? '✓' : state === 'failed' ? '✕' : <CopyIcon />}
    </button>
  );
}

/** A SID in monospace with its copy button. */
export function SidText({ sid, label }: { sid: string; label: string }) {
  return (
    <span className="sid-text">
      <span className="mono">{sid}</span>
      <CopyButton text={sid} label={label} />
    </span>
  );
}

/**
 * One raw CloudEvent, pretty-printed. Untrusted: rendered as React text inside <pre>, never as
 * HTML, so a contact like `<img onerror=...>` stays text.
 */
import type { StoredEventRecord } from '../../../shared/contract.js';
import { CopyButton, SidText } from './CopyButton.js';

function prettyJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function RawEventView({ record }: { record: StoredEventRecord | undefined }) {
  if (record === undefined) return <div className="note">The raw event is not loaded.</div>;
  const json = prettyJson(record.event);
  return (
    <div className="raw-event">
      <div className="raw-event-meta">
        <span>
          Event <SidText sid={record.id} label="event id" />
        </span>
        <span className="mono">{record.type}</span>
        <span>received {record.receivedAt}</span>
        <CopyButton text={json} label="event JSON" />
      </div>
      <pre className="raw-json">{json}</pre>
    </div>
  );
}

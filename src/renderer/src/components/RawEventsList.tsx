import { useState } from 'react';
import type { StoredEventRecord } from '../../../shared/contract.js';
import { RawEventView } from './RawEventView.js';

/** Every event of the execution (started, steps, ended, others), each expandable to its JSON. */
export function RawEventsList({ events }: { events: StoredEventRecord[] }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((previous) => {
      const next = new Set(previous);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  if (events.length === 0) return <div className="note">No events.</div>;
  return (
    <ul className="raw-events" aria-label="Raw events">
      {events.map((record) => (
        <li key={record.id}>
          <button type="button" className="raw-event-line" aria-expanded={open.has(record.id)} onClick={() => toggle(record.id)}>
            <span className="caret">{open.has(record.id) ? '▾' : '▸'}</span>
            <span className="mono time">{record.time ?? record.receivedAt}</span>
            <span className={`kind kind-${record.kind.replace('.', '-')}`}>{record.kind}</span>
            <span className="mono id">{record.id}</span>
          </button>
          {open.has(record.id) && <RawEventView record={record} />}
        </li>
      ))}
    </ul>
  );
}

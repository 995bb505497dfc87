// @vitest-environment jsdom
// "Clear older than…" in the Storage panel: the cut-off sent to store.clearOlderThan (from a fixed
// clock), only after confirmation, the result, the core's error, and the list refreshed by the
// store.reset push the core sends afterwards.
import './dom-layout.js';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeSummary, sidOf } from './fixtures.js';
import { renderApp, settle } from './render-app.js';
import { field, openStorage, storageTransport, type } from './storage-fixtures.js';

const NOW = Date.parse('2025-06-15T12:00:00.000Z');
const DAY_MS = 86_400_000;

beforeEach(() => {
  // only Date is faked: the tests' settle() still runs on real timers
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function choose(panel: HTMLElement, label: string): void {
  fireEvent.click(within(panel).getByLabelText(label));
}

async function click(panel: HTMLElement, name: string): Promise<void> {
  fireEvent.click(within(panel).getByRole('button', { name }));
  await settle();
}

describe('Storage panel: clear older than', () => {
  it('asks first, then clears executions older than 7 days and says how many went', async () => {
    const transport = storageTransport();
    transport.handle('store.clearOlderThan', () => ({ deletedEvents: 42, deletedExecutions: 3 }));
    await renderApp(transport);
    const panel = await openStorage();
    choose(panel, '7 days');
    await click(panel, 'Clear…');

    expect(transport.callsOf('store.clearOlderThan')).toEqual([]);
    const confirm = within(panel).getByRole('group', { name: /will be deleted/ });
    expect(confirm.textContent).toMatch(/^Executions whose latest activity is before \d{4}-\d{2}-\d{2} \d{2}:\d{2} will be deleted\. This cannot be undone\./);
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));

    await click(panel, 'Delete');
    expect(transport.callsOf('store.clearOlderThan')).toEqual([{ before: new Date(NOW - 7 * DAY_MS).toISOString() }]);
    expect(transport.callsOf('store.clearOlderThan')[0]).toEqual({ before: '2025-06-08T12:00:00.000Z' });
    expect(within(panel).getByText('Deleted 3 executions (42 events).')).toBeTruthy();
    expect(within(panel).queryByRole('group', { name: /will be deleted/ })).toBeNull();
  });

  it('deletes nothing when the confirmation is cancelled', async () => {
    const transport = storageTransport();
    transport.handle('store.clearOlderThan', () => ({ deletedEvents: 0, deletedExecutions: 0 }));
    await renderApp(transport);
    const panel = await openStorage();
    choose(panel, '1 day');
    await click(panel, 'Clear…');
    await click(panel, 'Cancel');

    expect(transport.callsOf('store.clearOlderThan')).toEqual([]);
    expect(within(panel).getByRole('button', { name: 'Clear…' })).toBeTruthy();
  });

  it('takes a custom local date and time, and refuses an empty or future one', async () => {
    const transport = storageTransport();
    transport.handle('store.clearOlderThan', () => ({ deletedEvents: 1, deletedExecutions: 1 }));
    await renderApp(transport);
    const panel = await openStorage();
    choose(panel, 'A date and time');
    await click(panel, 'Clear…');
    expect(within(panel).getByText('Pick a date and time.')).toBeTruthy();

    type(panel, 'Delete executions with no activity since', '2025-07-01T00:00');
    await click(panel, 'Clear…');
    expect(within(panel).getByText('Pick a time in the past.')).toBeTruthy();
    expect(field(panel, 'Delete executions with no activity since').getAttribute('aria-invalid')).toBe('true');

    type(panel, 'Delete executions with no activity since', '2025-06-01T08:30');
    await click(panel, 'Clear…');
    expect(within(panel).getByText('2025-06-01 08:30')).toBeTruthy(); // the confirmation names the local time typed
    await click(panel, 'Delete');
    // datetime-local values are local times, as ECMAScript reads them
    expect(transport.callsOf('store.clearOlderThan')).toEqual([{ before: new Date(2025, 5, 1, 8, 30).toISOString() }]);
    expect(within(panel).getByText('Deleted 1 execution (1 event).')).toBeTruthy();
  });

  it('shows the core\'s error', async () => {
    const transport = storageTransport();
    transport.fail('store.clearOlderThan', 'unavailable', 'the store is closed');
    await renderApp(transport);
    const panel = await openStorage();
    await click(panel, 'Clear…');
    await click(panel, 'Delete');

    expect(transport.callsOf('store.clearOlderThan')).toEqual([{ before: new Date(NOW - 30 * DAY_MS).toISOString() }]);
    expect(within(panel).getByRole('alert').textContent).toBe('Clearing failed: the store is closed');
  });

  it('refreshes the list through the store.reset push the core sends after clearing', async () => {
    const transport = storageTransport();
    const old = makeSummary({ executionSid: sidOf('FN', 1), startedAt: '2025-05-01T10:00:00.000Z' });
    const recent = makeSummary({ executionSid: sidOf('FN', 2), startedAt: '2025-06-15T11:00:00.000Z' });
    transport.executions = [old, recent];
    transport.handle('store.clearOlderThan', () => {
      transport.executions = [recent];
      transport.push('store.reset', {});
      return { deletedEvents: 5, deletedExecutions: 1 };
    });
    const { frames } = await renderApp(transport);
    expect(document.querySelector(`[data-sid="${old.executionSid}"]`)).not.toBeNull();

    const panel = await openStorage();
    await click(panel, 'Clear…');
    await click(panel, 'Delete');
    await frames.run();

    expect(document.querySelector(`[data-sid="${old.executionSid}"]`)).toBeNull();
    expect(document.querySelector(`[data-sid="${recent.executionSid}"]`)).not.toBeNull();
    expect(screen.getByRole('dialog', { name: 'Storage' })).toBeTruthy();
  });
});

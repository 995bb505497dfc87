// @vitest-environment jsdom
// The Storage panel over a FakeTransport: what is stored, the retention settings read with
// retention.get and saved with retention.set, the light checks, and the core's refusals.
import './dom-layout.js';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { makeStats } from './fixtures.js';
import { renderApp, settle } from './render-app.js';
import { field, openStorage, retentionSaved, storageTransport, type } from './storage-fixtures.js';

afterEach(cleanup);

const DAYS = 'Maximum age (days)';
const EVENTS = 'Maximum number of events';

function retentionStatus(panel: HTMLElement): HTMLElement {
  return within(within(panel).getByRole('form', { name: 'Retention' })).getByRole('status');
}

async function save(panel: HTMLElement): Promise<void> {
  fireEvent.click(within(panel).getByRole('button', { name: 'Save' }));
  await settle();
}

describe('Storage panel: retention', () => {
  it('opens from the toolbar with focus, shows the stored counts and the settings from retention.get', async () => {
    const transport = storageTransport({ maxAgeDays: 14, maxEvents: null });
    await renderApp(transport);
    const panel = await openStorage();

    expect(document.activeElement).toBe(panel);
    expect(transport.callsOf('retention.get')).toEqual([{}]);
    expect(field(panel, DAYS).value).toBe('14');
    expect(field(panel, EVENTS).value).toBe('');
    expect(field(panel, EVENTS).placeholder).toBe('No limit');
    expect(within(panel).getByText('678')).toBeTruthy();
    expect(within(panel).getByText('12,345')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Storage' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('saves numbers and nulls with retention.set and says what was saved', async () => {
    const transport = storageTransport();
    await renderApp(transport);
    const panel = await openStorage();
    type(panel, DAYS, ' 7 ');
    type(panel, EVENTS, '');
    await save(panel);

    expect(transport.callsOf('retention.set')).toEqual([{ maxAgeDays: 7, maxEvents: null }]);
    expect(retentionStatus(panel).textContent).toBe('Saved. Keep 7 days, no event limit.');

    type(panel, DAYS, '');
    type(panel, EVENTS, '250000');
    await save(panel);
    expect(transport.callsOf('retention.set')[1]).toEqual({ maxAgeDays: null, maxEvents: 250_000 });
    expect(field(panel, EVENTS).value).toBe('250,000'); // what the core saved, grouped for reading
  });

  it('says how many older executions the save removed, from retention.set\'s result, and the app refetches', async () => {
    const transport = storageTransport();
    let stats = makeStats({ storedEvents: 12_345, executions: 678 });
    transport.handle('stats.get', () => stats);
    transport.handle('retention.set', (params) => {
      // the core enforces the new limits before it answers, and pushes the reset that refreshes the lists
      stats = makeStats({ storedEvents: 100, executions: 9 });
      transport.push('store.reset', {});
      return retentionSaved(params, 12, 340);
    });
    const { frames } = await renderApp(transport);
    const panel = await openStorage();
    const listCalls = transport.callsOf('executions.list').length;
    type(panel, DAYS, '14');
    type(panel, EVENTS, '30');
    await save(panel);

    expect(retentionStatus(panel).textContent).toBe('Saved. Keep 14 days, at most 30 events. Removed 12 older executions (340 events).');
    await frames.run();
    expect(transport.callsOf('executions.list').length).toBeGreaterThan(listCalls);
    expect(within(panel).getByText('9')).toBeTruthy();
    expect(within(panel).getByText('100')).toBeTruthy();
  });

  it('says nothing about removal when the save removed nothing, even if a store.reset arrives meanwhile', async () => {
    const transport = storageTransport();
    transport.handle('retention.set', (params) => {
      // another client's import (or the hourly retention) resets the store while this save is in flight
      transport.push('store.reset', {});
      return retentionSaved(params);
    });
    await renderApp(transport);
    const panel = await openStorage();
    type(panel, DAYS, '14');
    await save(panel);

    expect(retentionStatus(panel).textContent).toBe('Saved. Keep 14 days, at most 1,000,000 events.');
    expect(within(panel).queryByText(/^Removed/)).toBeNull();
  });

  it('shows the settings the core saved, not the ones typed', async () => {
    const transport = storageTransport();
    transport.handle('retention.set', () => retentionSaved({ maxAgeDays: 2, maxEvents: 500 }, 1, 1));
    await renderApp(transport);
    const panel = await openStorage();
    type(panel, DAYS, '3');
    await save(panel);

    expect(field(panel, DAYS).value).toBe('2');
    expect(field(panel, EVENTS).value).toBe('500');
    expect(retentionStatus(panel).textContent).toBe('Saved. Keep 2 days, at most 500 events. Removed 1 older execution (1 event).');
  });

  it('refuses what is not a positive number, with a message per field, and calls nothing', async () => {
    const transport = storageTransport();
    await renderApp(transport);
    const panel = await openStorage();
    type(panel, DAYS, '0');
    type(panel, EVENTS, '1.5');
    await save(panel);

    expect(transport.callsOf('retention.set')).toEqual([]);
    expect(within(panel).getByText('Enter a number of days greater than 0, or leave it empty for no age limit.')).toBeTruthy();
    expect(within(panel).getByText('Enter a whole number of events greater than 0, or leave it empty for no limit.')).toBeTruthy();
    expect(field(panel, DAYS).getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(field(panel, DAYS));

    type(panel, DAYS, '40000');
    type(panel, EVENTS, 'ten');
    await save(panel);
    expect(transport.callsOf('retention.set')).toEqual([]);
    expect(within(panel).getByText(/At most 36,500 days/)).toBeTruthy();

    type(panel, EVENTS, '10');
    expect(within(panel).queryByText(/whole number of events/)).toBeNull(); // cleared as the user types
  });

  it('shows the core\'s message when it refuses the settings', async () => {
    const transport = storageTransport();
    transport.fail('retention.set', 'bad_request', 'maxAgeDays: Too big: expected number to be <=36500');
    await renderApp(transport);
    const panel = await openStorage();
    type(panel, DAYS, '90');
    await save(panel);

    expect(transport.callsOf('retention.set')).toEqual([{ maxAgeDays: 90, maxEvents: 1_000_000 }]);
    expect(within(panel).getByRole('alert').textContent).toBe('Not saved: maxAgeDays: Too big: expected number to be <=36500');
  });

  it('offers Retry when retention.get fails', async () => {
    const transport = storageTransport();
    transport.fail('retention.get', 'unavailable', 'the store is closed');
    await renderApp(transport);
    const panel = await openStorage();
    expect(within(panel).getByRole('alert').textContent).toContain('Could not read the retention settings: the store is closed');

    transport.handle('retention.get', () => ({ maxAgeDays: 3, maxEvents: null }));
    fireEvent.click(within(panel).getByRole('button', { name: 'Retry' }));
    await settle();
    expect(field(panel, DAYS).value).toBe('3');
  });

  it('closes on Escape and on Close, giving focus back to the Storage button', async () => {
    await renderApp(storageTransport());
    const button = screen.getByRole('button', { name: 'Storage' });
    button.focus();
    await openStorage();
    fireEvent.keyDown(document, { key: 'Escape' });
    await settle();
    expect(screen.queryByRole('dialog', { name: 'Storage' })).toBeNull();
    expect(document.activeElement).toBe(button);

    const panel = await openStorage();
    fireEvent.click(within(panel).getByRole('button', { name: 'Close' }));
    await settle();
    expect(screen.queryByRole('dialog', { name: 'Storage' })).toBeNull();
  });

  it('shares the right edge with the Connect panel: opening one closes the other', async () => {
    await renderApp(storageTransport());
    await openStorage();
    fireEvent.click(screen.getByRole('button', { name: 'Connect Twilio' }));
    await settle();
    expect(screen.queryByRole('dialog', { name: 'Storage' })).toBeNull();
    expect(screen.getByRole('dialog', { name: 'Twilio connection' })).toBeTruthy();

    await openStorage();
    expect(screen.queryByRole('dialog', { name: 'Twilio connection' })).toBeNull();
    expect(screen.getByRole('dialog', { name: 'Storage' })).toBeTruthy();
  });
});

/** Shared set-up of the Storage panel tests: a FakeTransport that answers the retention commands. */
import { fireEvent, screen, within } from '@testing-library/react';
import type { CommandResult, RetentionSettings } from '../../src/shared/contract.js';
import { FakeTransport } from './fake-transport.js';
import { makeStats } from './fixtures.js';
import { settle } from './render-app.js';

export function storageTransport(settings: RetentionSettings = { maxAgeDays: 30, maxEvents: 1_000_000 }): FakeTransport {
  const transport = new FakeTransport();
  transport.handle('stats.get', () => makeStats({ storedEvents: 12_345, executions: 678 }));
  transport.handle('retention.get', () => settings);
  // nothing to remove unless a test says otherwise (see retentionSaved)
  transport.handle('retention.set', (params) => retentionSaved(params));
  return transport;
}

/** retention.set's result: the saved settings and what enforcing them at once removed. */
export function retentionSaved(settings: RetentionSettings, deletedExecutions = 0, deletedEvents = 0): CommandResult<'retention.set'> {
  return { settings, deletedEvents, deletedExecutions };
}

export async function openStorage(): Promise<HTMLElement> {
  fireEvent.click(screen.getByRole('button', { name: 'Storage' }));
  await settle();
  return screen.getByRole('dialog', { name: 'Storage' });
}

export function field(panel: HTMLElement, label: string | RegExp): HTMLInputElement {
  return within(panel).getByLabelText(label) as HTMLInputElement;
}

export function type(panel: HTMLElement, label: string | RegExp, value: string): void {
  fireEvent.change(field(panel, label), { target: { value } });
}

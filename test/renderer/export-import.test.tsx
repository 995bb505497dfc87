// @vitest-environment jsdom
import './dom-layout.js';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeTransport } from './fake-transport.js';
import { makeSummary, sidOf } from './fixtures.js';
import { readFileText } from '../../src/renderer/src/lib/read-file.js';
import { renderApp, settle } from './render-app.js';

const EXPORT_TEXT = '{"format":"flowscope.executions","version":1,"executions":[]}';

// jsdom implements neither object URLs nor downloads: record what the page hands the browser
const downloads: { fileName: string; blob: Blob }[] = [];
const blobs = new Map<string, Blob>();

beforeEach(() => {
  downloads.length = 0;
  let n = 0;
  URL.createObjectURL = (blob: Blob) => {
    const url = `blob:test/${(n += 1)}`;
    blobs.set(url, blob);
    return url;
  };
  URL.revokeObjectURL = (url: string) => {
    blobs.delete(url);
  };
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    const blob = blobs.get(this.href);
    if (blob !== undefined) downloads.push({ fileName: this.download, blob });
  });
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

function exportMenu(choice: string): void {
  fireEvent.click(screen.getByText('Export ▾'));
  fireEvent.click(screen.getByRole('menuitem', { name: choice }));
}

function seeded(): FakeTransport {
  const transport = new FakeTransport('websocket');
  transport.executions = [makeSummary({ executionSid: sidOf('FN', 1) })];
  return transport;
}

describe('export and import', () => {
  it('falls back to export.run and a download when export.save is unavailable (browser)', async () => {
    const transport = seeded();
    transport.fail('export.save', 'unavailable', 'desktop only');
    transport.handle('export.run', () => ({ fileName: 'flowscope-export.json', text: EXPORT_TEXT }));
    await renderApp(transport);

    exportMenu('Filtered executions');
    await settle();
    expect(transport.callsOf('export.save')).toEqual([{ filter: {} }]);
    expect(transport.callsOf('export.run')).toEqual([{ filter: {} }]);
    expect(downloads).toHaveLength(1);
    expect(downloads[0]?.fileName).toBe('flowscope-export.json');
    expect(await readFileText(downloads[0]!.blob)).toBe(EXPORT_TEXT);
    expect(screen.getByText('Downloaded flowscope-export.json')).toBeTruthy();
  });

  it('exports the selected execution only', async () => {
    const transport = seeded();
    transport.handle('export.save', () => ({ saved: true, path: '/home/me/one.json', executions: 1 }));
    await renderApp(transport);
    fireEvent.click(document.querySelector(`[data-sid="${sidOf('FN', 1)}"]`)!);
    await settle();

    exportMenu('Selected execution');
    await settle();
    expect(transport.callsOf('export.save')).toEqual([{ filter: { executionSids: [sidOf('FN', 1)] } }]);
    expect(transport.callsOf('export.run')).toEqual([]);
    expect(screen.getByText('Saved 1 execution to /home/me/one.json')).toBeTruthy();
  });

  it('imports a picked file in the browser and says how many executions came in', async () => {
    const transport = seeded();
    transport.fail('import.open', 'unavailable', 'desktop only');
    transport.handle('import.run', () => ({ executions: 12, events: 80, inserted: 78, duplicates: 2, rejected: 0 }));
    await renderApp(transport);

    const input = screen.getByTestId('import-file') as HTMLInputElement;
    const picked = vi.spyOn(input, 'click');
    fireEvent.click(screen.getByRole('button', { name: 'Import…' }));
    await settle();
    expect(picked).toHaveBeenCalled();

    const file = new File([EXPORT_TEXT], 'export.json', { type: 'application/json' });
    fireEvent.change(input, { target: { files: [file] } });
    await settle();
    expect(transport.callsOf('import.run')).toEqual([{ text: EXPORT_TEXT }]);
    expect(screen.getByText('Imported 12 executions (78 new events, 2 duplicates, 0 rejected events)')).toBeTruthy();
  });

  it('reports an export error as an error banner', async () => {
    const transport = seeded();
    transport.fail('export.save', 'internal', 'disk full');
    await renderApp(transport);
    exportMenu('All executions');
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('Export failed: disk full');
  });
});

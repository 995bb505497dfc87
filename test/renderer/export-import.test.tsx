// @vitest-environment jsdom
import './dom-layout.js';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeTransport } from './fake-transport.js';
import { makeSummary, sidOf } from './fixtures.js';
import { renderApp, settle } from './render-app.js';

const EXPORT_TEXT = '{"format":"flowscope.executions","version":1,"executions":[]}';
const PAGE_TOKEN = 'page-token_0123456789abcdefghijklmnopqrstuv';

// jsdom does not download: record the links the page hands the browser
const downloads: { href: string; download: string; inDocument: boolean }[] = [];

beforeEach(() => {
  downloads.length = 0;
  // the page as the headless server serves it: its URL carries the session token
  window.history.replaceState(null, '', `/?token=${PAGE_TOKEN}`);
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    downloads.push({ href: this.href, download: this.download, inDocument: document.body.contains(this) });
  });
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  window.history.replaceState(null, '', '/');
});

/** The one download the page started, as the server will read it. */
function downloadedExport(): { url: URL; filter: unknown } {
  expect(downloads).toHaveLength(1);
  const url = new URL(downloads[0]!.href);
  return { url, filter: JSON.parse(url.searchParams.get('filter') ?? 'null') };
}

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
  it('falls back to the server\'s streamed download when export.save is unavailable (browser), never export.run', async () => {
    const transport = seeded();
    transport.fail('export.save', 'unavailable', 'desktop only');
    await renderApp(transport);

    exportMenu('Filtered executions');
    await settle();
    expect(transport.callsOf('export.save')).toEqual([{ filter: {} }]);
    expect(transport.callsOf('export.run')).toEqual([]);
    const { url, filter } = downloadedExport();
    expect(url.origin).toBe(window.location.origin);
    expect(url.pathname).toBe('/export');
    expect(url.searchParams.get('token')).toBe(PAGE_TOKEN);
    expect(filter).toEqual({});
    expect(downloads[0]?.download).toBe(''); // the server's Content-Disposition names the file
    expect(downloads[0]?.inDocument).toBe(true); // Firefox ignores clicks on detached links
    expect(document.querySelectorAll('a[download]')).toHaveLength(0); // removed afterwards
    expect(screen.getByText('Export started: your browser is downloading the file.')).toBeTruthy();
  });

  it('puts the selected execution\'s filter in the download URL, encoded', async () => {
    const transport = seeded();
    transport.fail('export.save', 'unavailable', 'desktop only');
    await renderApp(transport);
    fireEvent.click(document.querySelector(`[data-sid="${sidOf('FN', 1)}"]`)!);
    await settle();

    exportMenu('Selected execution');
    await settle();
    expect(downloadedExport().filter).toEqual({ executionSids: [sidOf('FN', 1)] });
    expect(transport.callsOf('export.run')).toEqual([]);
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
    expect(downloads).toEqual([]);
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
    expect(downloads).toEqual([]);
  });
});

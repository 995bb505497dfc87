/**
 * Export and import from the UI.
 * Desktop: 'export.save' / 'import.open' (native dialogs, the main process streams the file).
 * Browser: those answer `unavailable`; export then falls back to a download of the headless
 * server's streamed export (GET /export?token=…&filter=…, same origin, the page's own token), and
 * import to a file the user picks in a hidden <input type=file>, read as text, sent to 'import.run'.
 * The UI never uses 'export.run': it builds the whole document as one string, which a big store
 * cannot afford.
 */
import type { ExecutionFilter, ImportResult } from '../../../shared/contract.js';
import type { App } from '../store/app.js';
import { errorCodeOf, messageOf } from '../transport/client.js';
import { downloadUrl, type Downloader } from './download.js';

/** The headless server's streamed export (src/server/export-download.ts), on this page's origin. */
export const EXPORT_DOWNLOAD_PATH = '/export';

/** `/export?token=<this page's token>&filter=<JSON>`: a path, so it can only name this origin. */
export function exportDownloadUrl(pageSearch: string, filter: ExecutionFilter): string {
  const token = new URLSearchParams(pageSearch).get('token') ?? '';
  return `${EXPORT_DOWNLOAD_PATH}?${new URLSearchParams({ token, filter: JSON.stringify(filter) }).toString()}`;
}

export type ExportScope = 'all' | 'filtered' | 'selected';

export function filterForScope(app: App, scope: ExportScope): ExecutionFilter | null {
  const { appliedFilter, selectedSid } = app.store.getState();
  if (scope === 'all') return {};
  if (scope === 'filtered') return appliedFilter;
  return selectedSid === null ? null : { executionSids: [selectedSid] };
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

export function describeImport(result: ImportResult): string {
  return (
    `Imported ${plural(result.executions, 'execution')} ` +
    `(${plural(result.inserted, 'new event')}, ${plural(result.duplicates, 'duplicate')}, ` +
    `${plural(result.rejected, 'rejected event')})`
  );
}

export async function exportExecutions(
  app: App,
  scope: ExportScope,
  download: Downloader = downloadUrl,
  pageSearch: string = window.location.search,
): Promise<void> {
  const { actions, client } = app;
  const filter = filterForScope(app, scope);
  if (filter === null) {
    actions.showToast('error', 'Select an execution to export it.');
    return;
  }
  actions.setBusy('Exporting…');
  try {
    try {
      const saved = await client.call('export.save', { filter });
      if (saved.saved) actions.showToast('info', `Saved ${plural(saved.executions, 'execution')} to ${saved.path}`);
      return;
    } catch (error) {
      if (errorCodeOf(error) !== 'unavailable') throw error;
    }
    download(exportDownloadUrl(pageSearch, filter));
    actions.showToast('info', 'Export started: your browser is downloading the file.');
  } catch (error) {
    actions.showToast('error', `Export failed: ${messageOf(error)}`);
  } finally {
    actions.setBusy(null);
  }
}

/** Desktop import through the native dialog; resolves 'pick-file' when the browser must pick. */
export async function importWithDialog(app: App): Promise<'done' | 'pick-file'> {
  const { actions, client } = app;
  try {
    const opened = await client.call('import.open', {});
    if (opened.imported) {
      actions.showToast('info', describeImport(opened));
      void actions.refresh();
    }
    return 'done';
  } catch (error) {
    if (errorCodeOf(error) === 'unavailable') return 'pick-file';
    actions.showToast('error', `Import failed: ${messageOf(error)}`);
    return 'done';
  }
}

export async function importText(app: App, text: string): Promise<void> {
  const { actions, client } = app;
  actions.setBusy('Importing…');
  try {
    const result = await client.call('import.run', { text });
    actions.showToast('info', describeImport(result));
    void actions.refresh();
  } catch (error) {
    actions.showToast('error', `Import failed: ${messageOf(error)}`);
  } finally {
    actions.setBusy(null);
  }
}

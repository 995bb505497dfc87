/**
 * Export and import from the UI.
 * Desktop: 'export.save' / 'import.open' (native dialogs, the main process streams the file).
 * Browser: those answer `unavailable`; export then falls back to 'export.run' and a download, and
 * import to a file the user picks in a hidden <input type=file>, read as text, sent to 'import.run'.
 */
import type { ExecutionFilter, ImportResult } from '../../../shared/contract.js';
import type { App } from '../store/app.js';
import { errorCodeOf, messageOf } from '../transport/client.js';
import { downloadText, type Downloader } from './download.js';

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

export async function exportExecutions(app: App, scope: ExportScope, download: Downloader = downloadText): Promise<void> {
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
    const { fileName, text } = await client.call('export.run', { filter });
    download(fileName, text);
    actions.showToast('info', `Downloaded ${fileName}`);
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

/** App title, export (all / filtered / selected), import and the Storage panel. */
import { useEffect, useRef, type ChangeEvent } from 'react';
import { readFileText } from '../lib/read-file.js';
import { exportExecutions, importText, importWithDialog, type ExportScope } from '../lib/export-import.js';
import { useApp, useAppState } from '../store/app-context.js';
import { useStoragePanel } from '../store/storage-panel.js';
import { ConnectButton } from './ConnectButton.js';

const EXPORT_CHOICES: readonly { scope: ExportScope; label: string }[] = [
  { scope: 'all', label: 'All executions' },
  { scope: 'filtered', label: 'Filtered executions' },
  { scope: 'selected', label: 'Selected execution' },
];

export function Toolbar() {
  const app = useApp();
  const hasSelection = useAppState((s) => s.selectedSid !== null);
  const busy = useAppState((s) => s.busy !== null);
  const storage = useStoragePanel();
  const menuRef = useRef<HTMLDetailsElement>(null);
  const fileRef = useRef<HTMLInputElement>(null);

  // a <details> menu stays open by itself: close it on a click anywhere else, or Escape
  useEffect(() => {
    const close = (event: Event) => {
      const menu = menuRef.current;
      if (menu === null || !menu.open) return;
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !menu.contains(event.target as Node)) menu.open = false;
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, []);

  const onExport = (scope: ExportScope) => {
    if (menuRef.current !== null) menuRef.current.open = false;
    void exportExecutions(app, scope);
  };
  const onImport = async () => {
    if ((await importWithDialog(app)) === 'pick-file') fileRef.current?.click();
  };
  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.target;
    const file = input.files?.[0];
    input.value = ''; // picking the same file again must fire change again
    if (file === undefined) return;
    try {
      await importText(app, await readFileText(file));
    } catch (error) {
      app.actions.showToast('error', `Could not read ${file.name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return (
    <header className="toolbar">
      <span className="brand">Flowscope</span>
      <span className="spacer" />
      <ConnectButton />
      <details className="menu" ref={menuRef}>
        <summary className="button" aria-disabled={busy}>
          Export ▾
        </summary>
        <div className="menu-items" role="menu">
          {EXPORT_CHOICES.map((choice) => (
            <button
              key={choice.scope}
              type="button"
              role="menuitem"
              disabled={busy || (choice.scope === 'selected' && !hasSelection)}
              onClick={() => onExport(choice.scope)}
            >
              {choice.label}
            </button>
          ))}
        </div>
      </details>
      <button type="button" className="button" disabled={busy} onClick={() => void onImport()}>
        Import…
      </button>
      <button type="button" className="button storage-button" aria-haspopup="dialog" aria-expanded={storage.open} onClick={storage.open ? storage.control.close : storage.control.open}>
        Storage
      </button>
      <input
        ref={fileRef}
        type="file"
        accept="application/json,.json"
        hidden
        data-testid="import-file"
        onChange={(event) => void onFile(event)}
      />
    </header>
  );
}

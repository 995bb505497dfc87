/**
 * Whether the Storage panel is open: one tiny zustand store per App (like connectionSyncFor), so
 * the toolbar button and the panel mounted in AppShell share it without touching the App's state.
 *
 * Side panels share the window's right edge: opening this one closes the Connect and Problems
 * panels (the panel itself closes when one of those opens, see StoragePanel).
 */
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { App } from './app.js';
import { useApp } from './app-context.js';
import { connectionSyncFor } from './connection-sync.js';

export interface StoragePanelControl {
  readonly store: StoreApi<{ open: boolean }>;
  open(): void;
  close(): void;
}

const controls = new WeakMap<App, StoragePanelControl>();

export function storagePanelFor(app: App): StoragePanelControl {
  let control = controls.get(app);
  if (control === undefined) {
    const store = createStore<{ open: boolean }>()(() => ({ open: false }));
    control = {
      store,
      open() {
        connectionSyncFor(app).closePanel();
        app.actions.setPanel(null);
        store.setState({ open: true });
      },
      close() {
        store.setState({ open: false });
      },
    };
    controls.set(app, control);
  }
  return control;
}

export function useStoragePanel(): { open: boolean; control: StoragePanelControl } {
  const control = storagePanelFor(useApp());
  return { open: useStore(control.store, (state) => state.open), control };
}

/**
 * React access to the App's ConnectionSync: `useConnectionSync()` gives the commands and keeps
 * the sync listening while the component is mounted; `useConnectionView(selector)` subscribes to
 * a slice of its state.
 */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useApp } from './app-context.js';
import { connectionSyncFor, type ConnectionSync, type ConnectionView } from './connection-sync.js';

export function useConnectionSync(): ConnectionSync {
  const sync = connectionSyncFor(useApp());
  useEffect(() => sync.retain(), [sync]);
  return sync;
}

export function useConnectionView<T>(selector: (view: ConnectionView) => T): T {
  return useStore(connectionSyncFor(useApp()).store, selector);
}

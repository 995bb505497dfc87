/**
 * React access to the App: `useAppState(selector)` subscribes a component to a slice of the
 * store; `useApp()` gives the actions and the client.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { App } from './app.js';
import type { AppState } from './app-state.js';

const AppContext = createContext<App | null>(null);

export function AppProvider({ app, children }: { app: App; children: ReactNode }) {
  return <AppContext.Provider value={app}>{children}</AppContext.Provider>;
}

export function useApp(): App {
  const app = useContext(AppContext);
  if (app === null) throw new Error('useApp() outside <AppProvider>');
  return app;
}

export function useAppState<T>(selector: (state: AppState) => T): T {
  return useStore(useApp().store, selector);
}

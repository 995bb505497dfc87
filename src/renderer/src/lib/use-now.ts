/**
 * One shared 1-second ticker for live durations (active executions, "waiting in <widget>").
 * Components that show a live time subscribe; the interval runs only while someone listens.
 */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;
let current = Date.now();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === null) {
    current = Date.now();
    timer = setInterval(() => {
      current = Date.now();
      for (const notify of listeners) notify();
    }, 1_000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const snapshot = () => current;

export function useNow(): number {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

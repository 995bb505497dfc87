/**
 * Fetches the execution pages the visible rows need, and refreshes them (throttled) when a live
 * change could not be placed locally. At most one request per page is in flight.
 */
import type { Client } from '../transport/client.js';
import { messageOf } from '../transport/client.js';
import type { AppStore } from './app-state.js';

export interface ListSync {
  /** Requests the visible pages that are missing or stale; resolves when those answered. */
  sync(): Promise<void>;
  /** Refetch the visible pages soon (at most once per interval). */
  refreshSoon(): void;
  dispose(): void;
}

export function bumpList(store: AppStore): void {
  store.setState((state) => ({ listVersion: state.listVersion + 1, total: state.list.total }));
}

export function createListSync(client: Client, store: AppStore, refreshIntervalMs: number): ListSync {
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let lastRefresh = Number.NEGATIVE_INFINITY;
  let disposed = false;

  async function sync(): Promise<void> {
    if (disposed) return;
    const { list, appliedFilter } = store.getState();
    const requests = list.pagesToFetch();
    await Promise.all(
      requests.map(async (request) => {
        try {
          const result = await client.call('executions.list', {
            filter: appliedFilter,
            offset: request.offset,
            limit: request.limit,
          });
          if (disposed) return;
          if (list.applyPage(request, result)) {
            bumpList(store);
            store.setState({ listError: null });
          }
        } catch (error) {
          list.pageFailed(request);
          store.setState({ listError: `Could not load executions: ${messageOf(error)}` });
          return;
        }
        // a page may have resized the list or revealed holes
        await sync();
      }),
    );
  }

  function refreshNow(): void {
    refreshTimer = null;
    lastRefresh = performance.now();
    store.getState().list.refresh();
    void sync();
  }

  return {
    sync,
    refreshSoon() {
      if (disposed || refreshTimer !== null) return;
      const wait = lastRefresh + refreshIntervalMs - performance.now();
      if (wait <= 0) refreshNow();
      else refreshTimer = setTimeout(refreshNow, wait);
    },
    dispose() {
      disposed = true;
      if (refreshTimer !== null) clearTimeout(refreshTimer);
      refreshTimer = null;
    },
  };
}

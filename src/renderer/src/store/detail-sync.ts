/**
 * Loads the selected execution (tree + raw events via executions.get) and refetches it when its
 * summary changes. Refetches are coalesced: while one is in flight, further changes only mark it
 * dirty, and one more fetch follows. An answer for an execution no longer selected is dropped.
 */
import type { Client } from '../transport/client.js';
import { messageOf } from '../transport/client.js';
import type { AppStore } from './app-state.js';

export interface DetailSync {
  load(sid: string | null): void;
  /** The selected execution changed (a delta or a snapshot): fetch it again. */
  changed(): void;
}

export function createDetailSync(client: Client, store: AppStore): DetailSync {
  let inFlight: string | null = null;
  let dirty = false;

  async function fetchDetail(sid: string): Promise<void> {
    inFlight = sid;
    dirty = false;
    try {
      const result = await client.call('executions.get', { executionSid: sid });
      if (store.getState().selectedSid !== sid) return;
      if (result === null) store.setState({ detail: { status: 'missing', sid } });
      else store.setState({ detail: { status: 'ready', sid, tree: result.tree, events: result.events } });
    } catch (error) {
      if (store.getState().selectedSid === sid) {
        store.setState({ detail: { status: 'error', sid, message: messageOf(error) } });
      }
    } finally {
      inFlight = null;
    }
    const selected = store.getState().selectedSid;
    if (selected !== null && (dirty || selected !== sid)) void fetchDetail(selected);
  }

  return {
    load(sid) {
      if (sid === null) {
        store.setState({ detail: { status: 'none' } });
        return;
      }
      const current = store.getState().detail;
      // keep showing the same execution while it reloads; a new one shows "loading"
      if (current.status === 'none' || current.sid !== sid) store.setState({ detail: { status: 'loading', sid } });
      if (inFlight !== null) dirty = true;
      else void fetchDetail(sid);
    },
    changed() {
      const sid = store.getState().selectedSid;
      if (sid === null) return;
      if (inFlight !== null) dirty = true;
      else void fetchDetail(sid);
    },
  };
}

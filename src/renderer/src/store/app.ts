/**
 * The renderer application: one store, the live wiring to a Transport, and the user's actions.
 *
 * Data flow (DESIGN.md section 3): a snapshot (flows, the visible executions page, stats,
 * receiver info) is fetched at start, after every reconnect and after a 'store.reset'; pushed
 * deltas are buffered and applied once per animation frame on top of it (held while a snapshot is
 * in flight, so they land after it). Pause keeps execution deltas aside (counted) until resume.
 */
import type { PushEventName, Stats } from '../../../shared/contract.js';
import type { ExecutionSummary } from '../../../shared/execution-model.js';
import type { Client } from '../transport/client.js';
import { messageOf } from '../transport/client.js';
import { reportsAccess } from '../transport/websocket-transport.js';
import { createAppStore, sortFlows, type AppStore, type ProblemPanel, type Toast } from './app-state.js';
import { createDetailSync } from './detail-sync.js';
import { defaultFilter, toExecutionFilter, type UiFilter } from './filters.js';
import { bumpList, createListSync } from './list-sync.js';
import { animationFrameScheduler, PushBatcher, type FrameScheduler, type PushBatch } from './push-batcher.js';

/**
 * Past this many executions changed during a pause, the held summaries are dropped and resume
 * refetches instead: memory stays bounded however long the pause lasts.
 */
export const MAX_HELD_CHANGES = 5_000;

/**
 * The core pushes stats only when events arrive, so once traffic stops the last events/s figure
 * would stay on screen for good. After this long without a push, while the rate shown is not 0,
 * stats are fetched again (until they read 0). Under load pushes keep re-arming the timer, so
 * this costs nothing then.
 */
export const STATS_QUIET_MS = 1_500;

export interface AppOptions {
  client: Client;
  scheduleFrame?: FrameScheduler;
  now?: () => number;
  /** Minimum time between two refetches of the visible pages caused by live changes. */
  refreshIntervalMs?: number;
  /** How often receiver.info is refetched at most (it has no push event). */
  receiverInfoIntervalMs?: number;
}

export interface AppActions {
  setFilter(patch: Partial<UiFilter>): void;
  clearFilters(): void;
  /** The rows the virtual list shows (with overscan); loads their pages. */
  setVisibleRange(start: number, end: number): void;
  select(sid: string | null): void;
  setCursor(sid: string | null): void;
  pause(): void;
  resume(): void;
  refresh(): Promise<void>;
  showToast(kind: Toast['kind'], message: string): void;
  dismissToast(): void;
  setPanel(panel: ProblemPanel): void;
  setBusy(label: string | null): void;
}

export interface App {
  readonly store: AppStore;
  readonly client: Client;
  readonly actions: AppActions;
  /** Subscribes to the transport and fetches the first snapshot. */
  start(): Promise<void>;
  dispose(): void;
}

export function createApp(options: AppOptions): App {
  const { client } = options;
  const now = options.now ?? Date.now;
  const store = createAppStore(client.transport.kind, now());
  const listSync = createListSync(client, store, options.refreshIntervalMs ?? 500);
  const detailSync = createDetailSync(client, store);
  const held = new Map<string, ExecutionSummary>();
  let heldOverflow = false;
  const unsubscribe: (() => void)[] = [];
  let toastId = 0;
  let lastReceiverFetch = Number.NEGATIVE_INFINITY;
  let sawClose = false;
  let statsTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped by every stats push: a refetch that a push overtook is dropped. */
  let statsVersion = 0;

  const batcher = new PushBatcher(options.scheduleFrame ?? animationFrameScheduler(), (batch) => flush(batch));

  function applyExecutionChanges(changes: ExecutionSummary[]): void {
    if (changes.length === 0) return;
    const { list, appliedFilter, selectedSid } = store.getState();
    const outcome = list.applyChanges(changes, appliedFilter);
    bumpList(store);
    if (outcome.structural) void listSync.sync();
    if (outcome.needsRefresh) listSync.refreshSoon();
    if (selectedSid !== null && changes.some((change) => change.executionSid === selectedSid)) detailSync.changed();
  }

  function flush(batch: PushBatch): void {
    if (batch.reset) {
      // the store was cleared or imported into, or the bridge dropped pushes to a slow client:
      // refetch what is on screen (rows stay until their fresh pages land, so nothing flashes),
      // then apply what came after the reset
      batcher.add('executions.changed', { executions: batch.executions });
      batcher.add('flows.changed', { flows: batch.flows });
      if (batch.stats !== null) batcher.add('stats.changed', batch.stats);
      void snapshot();
      return;
    }
    if (batch.flows.length > 0) {
      const flows = new Map(store.getState().flows.map((flow) => [flow.flowSid, flow]));
      for (const flow of batch.flows) flows.set(flow.flowSid, flow);
      store.setState({ flows: sortFlows(flows.values()) });
    }
    if (batch.stats !== null) {
      statsVersion += 1;
      store.setState({ stats: batch.stats });
      watchRate(batch.stats);
      if (now() - lastReceiverFetch > (options.receiverInfoIntervalMs ?? 10_000)) void fetchReceiver();
    }
    if (store.getState().paused) {
      holdChanges(batch.executions);
    } else {
      applyExecutionChanges(batch.executions);
    }
  }

  function holdChanges(changes: ExecutionSummary[]): void {
    if (changes.length === 0) return;
    if (heldOverflow) {
      // counted, not kept: resume refetches (the count may include an execution twice)
      store.setState((state) => ({ waitingChanges: state.waitingChanges + changes.length }));
      return;
    }
    for (const summary of changes) held.set(summary.executionSid, summary);
    if (held.size > MAX_HELD_CHANGES) {
      heldOverflow = true;
      held.clear();
    }
    store.setState((state) => ({ waitingChanges: heldOverflow ? state.waitingChanges + changes.length : held.size }));
  }

  function watchRate(stats: Stats): void {
    if (statsTimer !== null) clearTimeout(statsTimer);
    statsTimer = null;
    if (!(stats.eventsPerSecond > 0)) return;
    statsTimer = setTimeout(() => {
      statsTimer = null;
      const version = statsVersion;
      client.call('stats.get', {}).then(
        (fresh) => {
          if (version !== statsVersion) return;
          store.setState({ stats: fresh });
          watchRate(fresh);
        },
        () => undefined, // the next push or snapshot brings stats again
      );
    }, STATS_QUIET_MS);
  }

  async function fetchReceiver(): Promise<void> {
    lastReceiverFetch = now();
    try {
      store.setState({ receiver: await client.call('receiver.info', {}) });
    } catch {
      // shown as unknown; the next stats push tries again
    }
  }

  /** Refetches everything the screen shows; the visible rows are replaced as their pages land. */
  async function snapshot(): Promise<void> {
    batcher.hold();
    try {
      store.getState().list.refresh();
      bumpList(store);
      const [flows, stats] = await Promise.all([
        client.call('flows.list', {}),
        client.call('stats.get', {}),
        fetchReceiver(),
        listSync.sync(),
      ]);
      store.setState({ flows: sortFlows(flows), stats });
      watchRate(stats);
      if (store.getState().selectedSid !== null) detailSync.changed();
    } catch (error) {
      showToast('error', `Could not load from Flowscope: ${messageOf(error)}`);
    } finally {
      batcher.release();
    }
  }

  function showToast(kind: Toast['kind'], message: string): void {
    toastId += 1;
    store.setState({ toast: { id: toastId, kind, message } });
  }

  function applyFilter(filter: UiFilter): void {
    store.setState({ filter, appliedFilter: toExecutionFilter(filter, now()) });
    store.getState().list.reset();
    bumpList(store);
    void listSync.sync();
  }

  const actions: AppActions = {
    setFilter(patch) {
      applyFilter({ ...store.getState().filter, ...patch });
    },
    clearFilters() {
      applyFilter(defaultFilter());
    },
    setVisibleRange(start, end) {
      store.getState().list.setVisible(start, end);
      void listSync.sync();
    },
    select(sid) {
      const { list } = store.getState();
      list.pin(sid, sid === null ? undefined : list.summaries.get(sid));
      store.setState({ selectedSid: sid, cursorSid: sid ?? store.getState().cursorSid });
      detailSync.load(sid);
    },
    setCursor(sid) {
      store.setState({ cursorSid: sid });
    },
    pause() {
      store.setState({ paused: true });
    },
    resume() {
      const changes = [...held.values()];
      const overflowed = heldOverflow;
      held.clear();
      heldOverflow = false;
      store.setState({ paused: false, waitingChanges: 0 });
      if (overflowed) void snapshot();
      else applyExecutionChanges(changes);
    },
    refresh: () => snapshot(),
    showToast,
    dismissToast() {
      store.setState({ toast: null });
    },
    setPanel(panel) {
      store.setState({ panel });
    },
    setBusy(label) {
      store.setState({ busy: label });
    },
  };

  return {
    store,
    client,
    actions,
    start() {
      unsubscribe.push(
        client.transport.onPush((event: PushEventName, payload: unknown) => batcher.add(event, payload)),
        client.transport.onConnectionChange((state) => {
          store.setState({ connection: state });
          if (state === 'closed') sawClose = true;
          if (state === 'open' && sawClose) {
            sawClose = false;
            void snapshot();
          }
        }),
      );
      const { transport } = client;
      if (reportsAccess(transport)) unsubscribe.push(transport.onAccessChange((access) => store.setState({ access })));
      return snapshot();
    },
    dispose() {
      for (const stop of unsubscribe.splice(0)) stop();
      if (statsTimer !== null) clearTimeout(statsTimer);
      statsTimer = null;
      listSync.dispose();
    },
  };
}

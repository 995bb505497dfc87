/**
 * The renderer's state, held in one zustand (vanilla) store per app instance.
 * The execution rows live in a mutable ExecutionWindow (see its header); `listVersion` is bumped
 * after each of its mutations so that subscribed components re-read.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ExecutionFilter, ReceiverInfo, Stats, StoredEventRecord } from '../../../shared/contract.js';
import type { ExecutionTree, FlowSummary } from '../../../shared/execution-model.js';
import type { AccessState, ConnectionState } from '../transport/websocket-transport.js';
import { ExecutionWindow } from './execution-window.js';
import { defaultFilter, toExecutionFilter, type UiFilter } from './filters.js';

export type DetailState =
  | { status: 'none' }
  | { status: 'loading'; sid: string }
  | { status: 'ready'; sid: string; tree: ExecutionTree; events: StoredEventRecord[] }
  | { status: 'missing'; sid: string }
  | { status: 'error'; sid: string; message: string };

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  message: string;
}

export type ProblemPanel = 'rejected' | 'unverified' | null;

export interface AppState {
  connection: ConnectionState;
  /** 'refused': the headless server refuses this page's token (see websocket-transport). */
  access: AccessState;
  transportKind: 'electron' | 'websocket';
  flows: FlowSummary[];
  stats: Stats | null;
  receiver: ReceiverInfo | null;
  /** What the user set, and what the core was asked with (relative times made absolute). */
  filter: UiFilter;
  appliedFilter: ExecutionFilter;
  list: ExecutionWindow;
  listVersion: number;
  /** Rows matching the filter (null until the first page answers). */
  total: number | null;
  listError: string | null;
  paused: boolean;
  /** Executions changed while paused, applied on resume. */
  waitingChanges: number;
  /** The keyboard cursor in the list, and the execution opened in the detail view. */
  cursorSid: string | null;
  selectedSid: string | null;
  detail: DetailState;
  toast: Toast | null;
  panel: ProblemPanel;
  /** A long action in progress ("Exporting…"), or null. */
  busy: string | null;
}

export type AppStore = StoreApi<AppState>;

export function createAppStore(transportKind: 'electron' | 'websocket', nowMs: number): AppStore {
  const filter = defaultFilter();
  return createStore<AppState>()(() => ({
    connection: transportKind === 'electron' ? 'open' : 'connecting',
    access: 'ok',
    transportKind,
    flows: [],
    stats: null,
    receiver: null,
    filter,
    appliedFilter: toExecutionFilter(filter, nowMs),
    list: new ExecutionWindow(),
    listVersion: 0,
    total: null,
    listError: null,
    paused: false,
    waitingChanges: 0,
    cursorSid: null,
    selectedSid: null,
    detail: { status: 'none' },
    toast: null,
    panel: null,
    busy: null,
  }));
}

export function sortFlows(flows: Iterable<FlowSummary>): FlowSummary[] {
  return [...flows].sort((a, b) => (a.flowSid < b.flowSid ? -1 : a.flowSid > b.flowSid ? 1 : 0));
}

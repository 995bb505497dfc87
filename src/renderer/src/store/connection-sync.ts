/**
 * The Twilio connection as the renderer knows it: the core's ConnectionStatus (fetched, then
 * kept current by `connection.changed` pushes), the connection settings, whether the Connect
 * panel is open, and the commands that change them.
 *
 * Kept in its own small zustand store next to the App's, one per App (connectionSyncFor), so the
 * connection UI mounts without touching the list's state and data flow. It listens to the
 * transport while at least one component retains it.
 *
 * Invariants:
 * - No secret is ever held here: Connect's parameters pass straight through to the transport,
 *   and the status the core sends carries booleans about secrets only.
 * - A fetched status never overwrites a pushed one that arrived while the fetch was in flight.
 * - When the connection's state, public URL or verification changes, receiver.info is fetched
 *   again (the status bar shows the URL the receiver checks signatures against).
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { CommandParams, ConnectionSettings, ConnectionStatus, SecretsStatus } from '../../../shared/contract.js';
import { messageOf } from '../transport/client.js';
import type { App } from './app.js';

export type ConnectionCommand = 'connect' | 'disconnect' | 'forget' | 'settings';

export interface ConnectionView {
  /** Null until connection.get answers. */
  status: ConnectionStatus | null;
  settings: ConnectionSettings | null;
  /** Why the status or the settings could not be read. */
  loadError: string | null;
  panelOpen: boolean;
  /** The command in flight, if any. */
  pending: ConnectionCommand | null;
  /** A command the core refused as a whole (busy, invalid parameters, store failure). A failed Connect is in `status.error`. */
  commandError: string | null;
}

export interface ConnectionSync {
  readonly store: StoreApi<ConnectionView>;
  /** Listens to the transport (and fetches) while retained; returns the release function. */
  retain(): () => void;
  openPanel(): void;
  closePanel(): void;
  /** Runs Connect; `clearSettings` are applied first (see connect-form.ts settingsToClear). */
  connect(params: CommandParams<'connection.connect'>, clearSettings?: Partial<ConnectionSettings> | null): Promise<void>;
  /** Disconnects, or cancels a Connect in progress. */
  disconnect(): Promise<void>;
  forgetSecrets(): Promise<void>;
  /** Saves settings; resolves false (with `commandError` set) when the core refused them. */
  saveSettings(change: Partial<ConnectionSettings>): Promise<boolean>;
  /** Fetches status and settings again. */
  reload(): Promise<void>;
}

const syncs = new WeakMap<App, ConnectionSync>();

/** The one ConnectionSync of this App. */
export function connectionSyncFor(app: App): ConnectionSync {
  let sync = syncs.get(app);
  if (sync === undefined) {
    sync = createConnectionSync(app);
    syncs.set(app, sync);
  }
  return sync;
}

function receiverRelevant(status: ConnectionStatus | null): string {
  return status === null ? '' : `${status.state}|${status.publicUrl ?? ''}|${status.verification}`;
}

export function createConnectionSync(app: App): ConnectionSync {
  const { client } = app;
  const store = createStore<ConnectionView>()(() => ({
    status: null,
    settings: null,
    loadError: null,
    panelOpen: false,
    pending: null,
    commandError: null,
  }));
  let retainers = 0;
  let stopListening: (() => void) | null = null;
  /** Bumped by every status that arrives; a fetch that one overtook is dropped. */
  let statusVersion = 0;

  function applyStatus(status: ConnectionStatus): void {
    statusVersion += 1;
    const before = receiverRelevant(store.getState().status);
    store.setState({ status, loadError: null });
    if (before !== '' && before !== receiverRelevant(status)) void refetchReceiver();
  }

  function applySecrets(secrets: SecretsStatus): void {
    const status = store.getState().status;
    if (status !== null) store.setState({ status: { ...status, secrets } });
  }

  async function refetchReceiver(): Promise<void> {
    try {
      app.store.setState({ receiver: await client.call('receiver.info', {}) });
    } catch {
      // the app's own periodic fetch tries again
    }
  }

  async function reload(): Promise<void> {
    const version = statusVersion;
    try {
      const [status, settings] = await Promise.all([client.call('connection.get', {}), client.call('settings.get', {})]);
      store.setState({ settings });
      if (version === statusVersion) applyStatus(status);
    } catch (error) {
      store.setState({ loadError: `Could not read the Twilio connection: ${messageOf(error)}` });
    }
  }

  async function reloadSettings(): Promise<void> {
    try {
      store.setState({ settings: await client.call('settings.get', {}) });
    } catch {
      // the form keeps what it has
    }
  }

  function listen(): () => void {
    let sawClose = false;
    const stops = [
      client.transport.onPush((event, payload) => {
        if (event === 'connection.changed' && typeof payload === 'object' && payload !== null) applyStatus(payload as ConnectionStatus);
      }),
      client.transport.onConnectionChange((state) => {
        if (state === 'closed') sawClose = true;
        if (state === 'open' && sawClose) {
          sawClose = false;
          void reload();
        }
      }),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }

  async function run<T>(command: ConnectionCommand, work: () => Promise<T>): Promise<T | null> {
    store.setState({ pending: command, commandError: null });
    try {
      return await work();
    } catch (error) {
      store.setState({ commandError: messageOf(error) });
      return null;
    } finally {
      // a Cancel (disconnect) may have started meanwhile: leave its mark alone
      if (store.getState().pending === command) store.setState({ pending: null });
    }
  }

  return {
    store,
    retain() {
      retainers += 1;
      if (retainers === 1) {
        stopListening = listen();
        void reload();
      }
      let released = false;
      return () => {
        if (released) return;
        released = true;
        retainers -= 1;
        if (retainers === 0) {
          stopListening?.();
          stopListening = null;
        }
      };
    },
    openPanel() {
      store.setState({ panelOpen: true });
    },
    closePanel() {
      store.setState({ panelOpen: false, commandError: null });
    },
    async connect(params, clearSettings) {
      await run('connect', async () => {
        if (clearSettings !== undefined && clearSettings !== null) store.setState({ settings: await client.call('settings.set', clearSettings) });
        applyStatus(await client.call('connection.connect', params));
      });
      await reloadSettings(); // Connect saves the SIDs, domain and event types it used
    },
    async disconnect() {
      const status = await run('disconnect', () => client.call('connection.disconnect', {}));
      if (status !== null) applyStatus(status);
    },
    async forgetSecrets() {
      const secrets = await run('forget', () => client.call('connection.forgetSecrets', {}));
      if (secrets !== null) applySecrets(secrets);
    },
    async saveSettings(change) {
      const settings = await run('settings', () => client.call('settings.set', change));
      if (settings === null) return false;
      store.setState({ settings });
      return true;
    },
    reload,
  };
}

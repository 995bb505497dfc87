/**
 * Electron main entry: the core's Monitor hosted by the desktop shell (src/main/app.ts), with
 * secrets kept through Electron's safeStorage (safe-storage-secret-store.ts).
 *
 * The monitor is started after `ready` (app.ts), which safeStorage requires. Quitting runs
 * `monitor.stop()` under app.ts's quit guard (8 s): the stop disconnects first — deleting the
 * subscription and sink Connect created, closing the tunnel — within DISCONNECT_ON_QUIT_MS, and
 * leaves the rest of the limit to the receiver and the store. What a crash leaves behind is
 * removed at the next start (or Connect), recognized by this install's tag.
 * The core's log lines go to stdout; they carry no secrets (src/core/monitor.ts invariant).
 */
import { join } from 'node:path';
import { app, safeStorage } from 'electron';
import { Monitor } from '../core/monitor.js';
import { runDesktopApp } from './app.js';
import { SafeStorageSecretStore, SECRETS_FILE_NAME } from './safe-storage-secret-store.js';

const DISCONNECT_ON_QUIT_MS = 5_000;

runDesktopApp((options) =>
  Monitor.start({
    ...options,
    log: (line) => console.log(`[flowscope] ${line}`),
    connection: {
      secretStore: new SafeStorageSecretStore({ safeStorage, file: join(options.dataDir, SECRETS_FILE_NAME), isReady: () => app.isReady() }),
      shutdownTimeoutMs: DISCONNECT_ON_QUIT_MS,
    },
  }),
);

/**
 * The desktop app's lifecycle: single-instance lock, hardening, monitor start, IPC binding, the
 * window, and clean shutdown.
 *
 * Invariants: only the single-instance lock holder starts the monitor (and therefore the only
 * one that cleans up); the IPC binding is in place before the window loads; the app page is the
 * only trusted IPC sender; quitting runs the monitor's cleanup once under a time limit.
 * Data lives in app.getPath('userData').
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { createAppPage, isTrustedFrame } from './app-page.js';
import { withDesktopCommands, type FileDialogs } from './desktop-commands.js';
import type { DesktopMonitor, StartDesktopMonitor } from './desktop-monitor.js';
import { bindContractToIpc } from './ipc-binding.js';
import { createQuitGuard } from './quit-guard.js';
import { createMainWindow, focusWindow, hardenSession, hardenWebContents } from './window.js';

/** Long enough to delete a Twilio sink over a slow network; short enough not to feel hung. */
const CLEANUP_TIME_LIMIT_MS = 8_000;

export function runDesktopApp(startMonitor: StartDesktopMonitor): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }

  const page = createAppPage({
    rendererIndexFile: join(import.meta.dirname, '../renderer/index.html'),
    devServerUrl: app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'],
  });
  const preloadPath = join(import.meta.dirname, '../preload/index.cjs');
  let mainWindow: BrowserWindow | null = null;
  let monitor: DesktopMonitor | null = null;
  let unbindIpc: (() => void) | null = null;

  const openWindow = (): void => {
    mainWindow = createMainWindow({ page, preloadPath });
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
  };

  const dialogs: FileDialogs = {
    async chooseExportPath(defaultFileName) {
      const options = {
        title: 'Export executions',
        defaultPath: join(app.getPath('documents'), defaultFileName),
        filters: [{ name: 'Flowscope export', extensions: ['json'] }],
      };
      const choice = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      return choice.canceled || !choice.filePath ? null : choice.filePath;
    },
    async chooseImportPath() {
      const options = {
        title: 'Import executions',
        properties: ['openFile' as const],
        filters: [{ name: 'Flowscope export', extensions: ['json'] }, { name: 'All files', extensions: ['*'] }],
      };
      const choice = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return choice.canceled ? null : (choice.filePaths[0] ?? null);
    },
  };

  async function start(): Promise<void> {
    hardenSession(session.defaultSession, page);
    monitor = await startMonitor({ dataDir: app.getPath('userData') });
    const host = withDesktopCommands(monitor.host, {
      dialogs,
      files: monitor,
      onError: (command, error) => console.error(`[flowscope] ${command} failed:`, error),
    });
    unbindIpc = bindContractToIpc({
      ipcMain,
      host,
      isTrustedSender: (frame) => isTrustedFrame(page, frame),
      getTargets: () => (mainWindow && !mainWindow.isDestroyed() ? [mainWindow.webContents] : []),
      onPushError: (error) => console.error('[flowscope] push not delivered:', error),
    });
    openWindow();
  }

  const quitGuard = createQuitGuard({
    timeoutMs: CLEANUP_TIME_LIMIT_MS,
    async cleanup() {
      unbindIpc?.();
      await monitor?.stop();
    },
    quit: () => app.quit(),
    onCleanupProblem: (problem) => console.error('[flowscope] shutdown cleanup incomplete:', problem),
  });

  app.on('second-instance', () => focusWindow(mainWindow));
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, page));
  app.on('before-quit', (event) => quitGuard.onBeforeQuit(event));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (monitor && unbindIpc && BrowserWindow.getAllWindows().length === 0) openWindow();
  });

  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      console.error('[flowscope] start failed:', error);
      dialog.showErrorBox('Flowscope could not start', error instanceof Error ? error.message : String(error));
      app.quit();
    });
}

/**
 * The app window and the hardening of every web contents and the default session (Electron's
 * security checklist): context isolation, sandbox, no Node in the renderer, web security on, no
 * navigation away from the app page, no new windows (https links go to the system browser), no
 * <webview>, every permission denied but clipboard writes from the app page, and a CSP on every http(s) response (the dev
 * server's included; production loads file:// and carries the CSP as a <meta> tag).
 */
import { BrowserWindow, shell, type Session, type WebContents } from 'electron';
import type { AppPage } from './app-page.js';
import { DEVELOPMENT_CSP, PRODUCTION_CSP } from '../shared/content-security-policy.js';
import { externalUrlToOpen, mayGrantPermission, mayNavigate } from './navigation-policy.js';

export function hardenSession(session: Session, page: AppPage): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(mayGrantPermission(page, permission, details)),
  );
  session.setPermissionCheckHandler((_contents, permission, _origin, details) => mayGrantPermission(page, permission, details));
  const devOrigin = page.kind === 'dev-server' ? new URL(page.url).origin : null;
  session.webRequest.onHeadersReceived((details, callback) => {
    const fromDevServer = devOrigin !== null && safeOrigin(details.url) === devOrigin;
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [fromDevServer ? DEVELOPMENT_CSP : PRODUCTION_CSP],
      },
    });
  });
}

/** Applied to every web contents the app creates (app 'web-contents-created'). */
export function hardenWebContents(contents: WebContents, page: AppPage): void {
  contents.on('will-navigate', (event) => {
    if (!mayNavigate(page, event.url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!mayNavigate(page, event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!mayNavigate(page, event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const external = externalUrlToOpen(url);
    if (external !== null) void shell.openExternal(external).catch(() => undefined);
    return { action: 'deny' };
  });
}

export function createMainWindow(options: { page: AppPage; preloadPath: string }): BrowserWindow {
  const window = new BrowserWindow({
    title: 'Flowscope',
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    show: false,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(options.page.url);
  return window;
}

/** Brings an existing window to the front (second instance, macOS dock click). */
export function focusWindow(window: BrowserWindow | null): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

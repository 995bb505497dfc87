/**
 * Which URL is "the app's own page": the built renderer's index.html over file://, or in
 * development the electron-vite dev server. IPC senders, navigations and push targets are all
 * checked against it.
 *
 * Security assumptions: a frame is trusted only when it is a top-level frame (no iframes) whose
 * URL is exactly the app page — same file path for file://, same origin for the dev server. Query
 * and hash are ignored (they carry no authority). Pure: no electron import, tested under Node.
 */
import { pathToFileURL } from 'node:url';

export interface AppPage {
  /** The URL the window loads. */
  readonly url: string;
  readonly kind: 'file' | 'dev-server';
  /** True when `candidate` is the app page (not merely something on the same machine). */
  isAppPageUrl(candidate: string): boolean;
}

/** The part of Electron's WebFrameMain the checks need. */
export interface FrameLike {
  readonly url: string;
  readonly parent: FrameLike | null;
}

export function createAppPage(options: { rendererIndexFile: string; devServerUrl?: string | undefined }): AppPage {
  if (options.devServerUrl) {
    const devUrl = new URL(options.devServerUrl);
    if (devUrl.protocol !== 'http:' && devUrl.protocol !== 'https:') {
      throw new Error(`dev server URL must be http(s), got ${devUrl.protocol}`);
    }
    return {
      url: devUrl.href,
      kind: 'dev-server',
      isAppPageUrl: (candidate) => parseUrl(candidate)?.origin === devUrl.origin,
    };
  }
  const fileUrl = pathToFileURL(options.rendererIndexFile);
  return {
    url: fileUrl.href,
    kind: 'file',
    isAppPageUrl(candidate) {
      const parsed = parseUrl(candidate);
      return parsed !== null && parsed.protocol === 'file:' && parsed.host === fileUrl.host && parsed.pathname === fileUrl.pathname;
    },
  };
}

/** The trust check of every IPC message: a top-level frame showing the app page. */
export function isTrustedFrame(page: AppPage, frame: FrameLike | null | undefined): boolean {
  if (!frame) return false; // senderFrame is null after navigation or destruction
  if (frame.parent !== null) return false;
  return page.isAppPageUrl(frame.url);
}

function parseUrl(candidate: string): URL | null {
  try {
    return new URL(candidate);
  } catch {
    return null;
  }
}

/**
 * Decisions for links, navigations and permissions in the app window. The window only ever shows the app page;
 * any other navigation is refused, and new windows are never opened. An https link the user
 * clicks (e.g. to the Twilio console) opens in the system browser; anything else — http, file,
 * custom schemes, javascript: — is dropped, since handing arbitrary URLs to the OS can launch
 * local programs. Every permission is denied except writing to the clipboard (the UI's "copy"
 * buttons) from the app page's main frame. Pure: no electron import, tested under Node.
 */
import type { AppPage } from './app-page.js';

export function mayNavigate(page: AppPage, targetUrl: string): boolean {
  return page.isAppPageUrl(targetUrl);
}

/** The URL to hand to shell.openExternal, or null to drop the request. */
export function externalUrlToOpen(requestedUrl: string): string | null {
  try {
    const url = new URL(requestedUrl);
    if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return null;
    return url.href;
  } catch {
    return null;
  }
}

/** The only permission the app page needs: navigator.clipboard.writeText for copy buttons. */
const GRANTABLE_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function mayGrantPermission(
  page: AppPage,
  permission: string,
  request: { requestingUrl?: string | undefined; isMainFrame: boolean },
): boolean {
  return (
    GRANTABLE_PERMISSIONS.has(permission) &&
    request.isMainFrame &&
    request.requestingUrl !== undefined &&
    page.isAppPageUrl(request.requestingUrl)
  );
}

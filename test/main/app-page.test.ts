import { describe, expect, it } from 'vitest';
import { createAppPage, isTrustedFrame } from '../../src/main/app-page.js';
import { externalUrlToOpen, mayGrantPermission, mayNavigate } from '../../src/main/navigation-policy.js';

describe('createAppPage (file)', () => {
  const page = createAppPage({ rendererIndexFile: '/opt/flow scope/out/renderer/index.html' });

  it('loads the index file over file://', () => {
    expect(page.kind).toBe('file');
    expect(page.url).toBe('file:///opt/flow%20scope/out/renderer/index.html');
  });

  it('accepts the same file with any query or hash, nothing else', () => {
    expect(page.isAppPageUrl(`${page.url}?a=1#/x`)).toBe(true);
    expect(page.isAppPageUrl('file:///opt/flow%20scope/out/renderer/other.html')).toBe(false);
    expect(page.isAppPageUrl('file:///etc/passwd')).toBe(false);
    expect(page.isAppPageUrl('http://localhost/opt/flow%20scope/out/renderer/index.html')).toBe(false);
    expect(page.isAppPageUrl('not a url')).toBe(false);
  });

  it('trusts only a top-level frame on the page', () => {
    expect(isTrustedFrame(page, { url: page.url, parent: null })).toBe(true);
    expect(isTrustedFrame(page, null)).toBe(false);
    expect(isTrustedFrame(page, undefined)).toBe(false);
    expect(isTrustedFrame(page, { url: page.url, parent: { url: page.url, parent: null } })).toBe(false);
  });
});

describe('createAppPage (dev server)', () => {
  const page = createAppPage({ rendererIndexFile: '/unused', devServerUrl: 'http://localhost:5173/' });

  it('trusts the dev server origin only', () => {
    expect(page.kind).toBe('dev-server');
    expect(page.url).toBe('http://localhost:5173/');
    expect(page.isAppPageUrl('http://localhost:5173/src/x.tsx')).toBe(true);
    expect(page.isAppPageUrl('http://localhost:5174/')).toBe(false);
    expect(page.isAppPageUrl('http://127.0.0.1:5173/')).toBe(false);
    expect(page.isAppPageUrl('file:///opt/flowscope/out/renderer/index.html')).toBe(false);
  });

  it('rejects a dev server URL that is not http(s)', () => {
    expect(() => createAppPage({ rendererIndexFile: '/x', devServerUrl: 'file:///tmp/x' })).toThrow(/http/);
  });
});

describe('navigation policy', () => {
  const page = createAppPage({ rendererIndexFile: '/app/index.html' });

  it('allows navigation to the app page only', () => {
    expect(mayNavigate(page, 'file:///app/index.html#/flows')).toBe(true);
    expect(mayNavigate(page, 'https://example.com/')).toBe(false);
  });

  it('opens only plain https links externally', () => {
    expect(externalUrlToOpen('https://console.twilio.com/us1/develop/studio')).toBe('https://console.twilio.com/us1/develop/studio');
    expect(externalUrlToOpen('http://example.com/')).toBeNull();
    expect(externalUrlToOpen('file:///etc/passwd')).toBeNull();
    expect(externalUrlToOpen('javascript:alert(1)')).toBeNull();
    expect(externalUrlToOpen('smb://host/share')).toBeNull();
    expect(externalUrlToOpen('https://user:pass@example.com/')).toBeNull();
    expect(externalUrlToOpen('::nonsense')).toBeNull();
  });

  it('grants only clipboard writes, only to the app page main frame', () => {
    const onPage = { requestingUrl: 'file:///app/index.html', isMainFrame: true };
    expect(mayGrantPermission(page, 'clipboard-sanitized-write', onPage)).toBe(true);
    expect(mayGrantPermission(page, 'clipboard-read', onPage)).toBe(false);
    expect(mayGrantPermission(page, 'media', onPage)).toBe(false);
    expect(mayGrantPermission(page, 'notifications', onPage)).toBe(false);
    expect(mayGrantPermission(page, 'clipboard-sanitized-write', { ...onPage, isMainFrame: false })).toBe(false);
    expect(mayGrantPermission(page, 'clipboard-sanitized-write', { requestingUrl: 'https://x.example/', isMainFrame: true })).toBe(false);
    expect(mayGrantPermission(page, 'clipboard-sanitized-write', { isMainFrame: true })).toBe(false);
  });
});

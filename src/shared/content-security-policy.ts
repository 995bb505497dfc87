/**
 * The Content-Security-Policy of the renderer page (DESIGN.md section 9).
 *
 * Production: injected as a <meta> tag into the built index.html by electron.vite.config.ts (the
 * page is loaded from file://, where no response header exists), and sent as a header by the
 * headless UI server (src/server/ui-server.ts).
 * Development: the Vite dev server's React Fast Refresh preamble is an inline module script, so the
 * dev policy adds 'unsafe-inline' to script-src; it is applied only to the dev server's responses
 * and never ships.
 *
 * Only directives that work in a <meta> tag belong here (frame-ancestors does not: the UI server
 * adds it, and X-Frame-Options, as headers of its own).
 *
 * `default-src 'self'` also covers connect-src: in Chromium 'self' matches ws:/wss: on the page's
 * own host and port, which is what the headless WebSocket client uses.
 *
 * Imports nothing, so the build config, main and tests can share it.
 */
export const PRODUCTION_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'";

export const DEVELOPMENT_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'";

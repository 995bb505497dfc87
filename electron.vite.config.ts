/**
 * Build of the three Electron targets (electron-vite 6, DESIGN.md section 9).
 *
 * - main: src/main/index.ts, ESM (package.json is "type": "module"); `dependencies` stay external
 *   (electron-vite 5+ default), so libsql and @ngrok/ngrok load from node_modules at run time.
 *   The store's writer thread is a second entry, out/main/writer-thread.js.
 * - preload: src/preload/index.ts as ONE self-contained CommonJS file, out/preload/index.cjs. A
 *   sandboxed preload can require only Electron's renderer modules, so nothing may stay external
 *   except electron itself (externalizeDeps: false) and the format must be cjs; the explicit
 *   .cjs extension keeps Node from reading it as ESM under "type": "module".
 * - renderer: src/renderer (index.html), React, out/renderer. The production CSP is injected as a
 *   <meta> tag at build time (the page loads from file://, where there are no response headers);
 *   the dev server gets a looser policy from the main process instead, because React Fast
 *   Refresh needs an inline script. If index.html already carries a CSP it must be this one.
 */
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { PRODUCTION_CSP } from './src/shared/content-security-policy.js';

const CSP_META = /<meta\s[^>]*http-equiv=["']Content-Security-Policy["'][^>]*>/i;
const CONTENT_ATTR = /content=(["'])(.*?)\1/i;

function productionCspMeta(): Plugin {
  return {
    name: 'flowscope:production-csp-meta',
    apply: 'build',
    transformIndexHtml(html) {
      const existing = CSP_META.exec(html);
      if (existing) {
        const content = CONTENT_ATTR.exec(existing[0])?.[2];
        if (content !== PRODUCTION_CSP) {
          throw new Error(
            'src/renderer/index.html carries a Content-Security-Policy that differs from ' +
              'src/shared/content-security-policy.ts; remove it (the build injects the policy).',
          );
        }
        return html;
      }
      return [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: PRODUCTION_CSP },
          injectTo: 'head-prepend',
        },
      ];
    },
  };
}

export default defineConfig({
  main: {
    build: {
      lib: {
        entry: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          // the store's writer thread runs in a worker of its own (writer-thread-client.ts finds
          // it as out/main/writer-thread.js)
          'writer-thread': resolve(import.meta.dirname, 'src/core/store/writer-thread.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      lib: { entry: resolve(import.meta.dirname, 'src/preload/index.ts'), formats: ['cjs'] },
      rolldownOptions: {
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    plugins: [react(), productionCspMeta()],
    build: {
      outDir: resolve(import.meta.dirname, 'out/renderer'),
      // electron-vite leaves the renderer unminified by default; the same bundle is served to
      // browsers by the headless mode, where size matters
      minify: true,
    },
  },
});

/**
 * Shared pieces of the browser end-to-end tests and the UI scripts (screenshot, benchmark): a
 * real `serve` process (test/support/serve-process.ts) on port 0 with its own data directory, the
 * built renderer it serves, and plain HTTP posts to its receiver, unsigned (verification is off
 * because TWILIO_AUTH_TOKEN is forced empty).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, startServe, type ServeProcess } from '../support/serve-process.js';

export const RENDERER_INDEX = path.join(REPO_ROOT, 'out/renderer/index.html');

/** `serve` serves out/renderer; without a build the page is a 503 and every test would time out. */
export function requireBuiltRenderer(): void {
  if (!fs.existsSync(RENDERER_INDEX)) {
    throw new Error(`The renderer is not built (${path.relative(REPO_ROOT, RENDERER_INDEX)} is missing): run \`npx electron-vite build\` (or \`npm run build\`) first.`);
  }
}

export function makeDataDir(prefix = 'flowscope-e2e-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

export interface RunningServe extends ServeProcess {
  uiUrl: string;
  dataDir: string;
}

/** `npm run serve -- --port 0 --ui-port 0 --data-dir DIR`, signatures not checked. */
export async function startServeWithUi(dataDir: string, extraArgs: string[] = []): Promise<RunningServe> {
  const serve = await startServe(['--port', '0', '--ui-port', '0', '--data-dir', dataDir, ...extraArgs], { TWILIO_AUTH_TOKEN: '' });
  if (serve.uiUrl === null) {
    serve.child.kill('SIGKILL');
    throw new Error(`serve printed no UI URL:\n${serve.output()}`);
  }
  return { ...serve, uiUrl: serve.uiUrl, dataDir };
}

/** SIGTERM (clean shutdown), SIGKILL if it has not exited after `graceMs`. */
export async function stopServe(serve: ServeProcess | null | undefined, graceMs = 10_000): Promise<void> {
  if (!serve || serve.child.exitCode !== null || serve.child.signalCode !== null) return;
  serve.child.kill('SIGTERM');
  const timer = setTimeout(() => serve.child.kill('SIGKILL'), graceMs);
  try {
    await serve.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** One webhook delivery (a JSON array of CloudEvents); throws unless the receiver answers 2xx. */
export async function postEvents(webhookUrl: string, events: readonly unknown[]): Promise<void> {
  const response = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`receiver answered ${response.status}: ${text}`);
}

/** "1,234" (en-US formatting in the UI) -> 1234. */
export function parseCount(text: string | null): number {
  return Number((text ?? '').replace(/[^\d]/g, ''));
}

/**
 * Headless Chromium for browser tests and benchmarks: Debian's `chromium` package driven by
 * playwright-core (DESIGN.md section 1). Nothing is ever downloaded: if the binary is missing the
 * caller gets a clear error naming the package to install.
 *
 * Every launch gets a fresh, throw-away profile (playwright's default temp user data dir), so no
 * state leaks between tests, and the flags below keep Chromium off the network: the pages under
 * test talk to 127.0.0.1 only.
 */
import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.FLOWSCOPE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
];

/** Whether the Chromium binary is there (tests may skip with a message when it is not). */
export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

export async function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  if (!chromiumAvailable()) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install Debian's package (apt-get install -y chromium) or set FLOWSCOPE_CHROMIUM`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

export interface PageOptions {
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  /** Let the page download files (export). Default true. */
  acceptDownloads?: boolean;
}

/** A fresh context (own cookies, storage) with one page. Close the context when done. */
export async function openPage(browser: Browser, options: PageOptions = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1400, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: options.acceptDownloads ?? true,
    // deterministic text rendering in screenshots
    locale: 'en-US',
    timezoneId: 'UTC',
  });
  const page = await context.newPage();
  return { context, page };
}

/**
 * Collects what a page reports on its own: console errors, uncaught exceptions and dialogs (a
 * dialog is dismissed and recorded, so an injected `alert()` shows up as a failure, not a hang).
 */
export function watchPage(page: Page): { errors: string[]; dialogs: string[] } {
  const errors: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  return { errors, dialogs };
}

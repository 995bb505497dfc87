/**
 * The README screenshot, taken from the real UI: `serve` on a temp data dir, demo traffic (fixed
 * seed), headless Chromium at 1400x900, an IVR execution with a subflow opened.
 *
 *   npx tsx test/e2e/take-screenshot.ts [--out docs/screenshot.png] [--dark /tmp/dark.png]
 *
 * Needs the renderer built (npx electron-vite build). Not a test: it only writes PNG files.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { playTraffic } from '../../src/core/demo/traffic-player.js';
import { launchChromium, openPage, watchPage } from '../support/chromium.js';
import { REPO_ROOT } from '../support/serve-process.js';
import { makeDataDir, removeDir, requireBuiltRenderer, startServeWithUi, stopServe, type RunningServe } from './ui-harness.js';

const SEED = 7;

/** The first listed execution that ran a subflow and has enough steps to show a real tree. */
async function openSubflowExecution(page: Page): Promise<string> {
  const rows = page.locator('.exec-scroll [data-sid]');
  const count = await rows.count();
  for (let i = 0; i < count; i++) {
    const row = rows.nth(i);
    const sid = (await row.getAttribute('data-sid')) ?? '';
    await row.click();
    await page.locator('.exec-title', { hasText: sid }).waitFor();
    await page.locator('[role=tree]').waitFor();
    if ((await page.locator('.subflow-tag').count()) > 0 && (await page.locator('.step-row[data-step-sid]').count()) >= 8) return sid;
  }
  throw new Error('no execution with a subflow in the demo traffic');
}

async function shoot(serve: RunningServe, colorScheme: 'light' | 'dark', out: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const { page } = await openPage(browser, { width: 1400, height: 900, colorScheme });
    const problems = watchPage(page);
    await page.goto(serve.uiUrl);
    await page.locator('.exec-scroll [data-sid]').first().waitFor();
    const sid = await openSubflowExecution(page);
    await page.mouse.move(700, 890); // no hover highlight on a row
    await page.waitForTimeout(300);
    await page.screenshot({ path: out });
    if (problems.errors.length > 0 || problems.dialogs.length > 0) throw new Error(`page problems: ${[...problems.errors, ...problems.dialogs].join('; ')}`);
    process.stdout.write(`${colorScheme}: ${path.relative(process.cwd(), out)} (execution ${sid})\n`);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, dark: { type: 'string' } } });
  requireBuiltRenderer();
  const dataDir = makeDataDir('flowscope-screenshot-');
  let serve: RunningServe | null = null;
  try {
    serve = await startServeWithUi(dataDir);
    const demo = await playTraffic({
      url: serve.webhookUrl,
      rate: Infinity,
      seed: SEED,
      executions: 40,
      startTime: Date.now() - 20 * 60_000,
      timelineRate: 0.2,
      trackEventIds: false,
    });
    process.stdout.write(`demo traffic: ${demo.executions} executions, ${demo.distinctEvents} events\n`);
    await shoot(serve, 'light', path.resolve(values.out ?? path.join(REPO_ROOT, 'docs/screenshot.png')));
    if (values.dark !== undefined) await shoot(serve, 'dark', path.resolve(values.dark));
  } finally {
    await stopServe(serve);
    removeDir(dataDir);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

/**
 * End to end in real Chromium: `serve` (headless mode) as a child process on port 0 with a temp
 * data dir, the built renderer it serves, Debian's Chromium driven by playwright-core, demo
 * traffic and hand-made Studio events POSTed to its receiver over real HTTP.
 *
 * Needs the renderer built (out/renderer; `npm test` builds it first) and /usr/bin/chromium.
 * The tests run in order and share one server and one page: each builds on what the previous
 * one left on screen, the way a user goes from the list to an execution to an export.
 * Nothing here asserts on wall-clock time; waits are polls with generous limits.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playTraffic } from '../../src/core/demo/traffic-player.js';
import { EXPORT_FORMAT, EXPORT_VERSION, type ExportDocument } from '../../src/shared/export-format.js';
import type { StepNode } from '../../src/shared/execution-model.js';
import { launchChromium, openPage, watchPage } from '../support/chromium.js';
import { E2E_FLOW, HOSTILE_CONTACT, HOSTILE_TRANSITION, HOSTILE_WIDGET, e2eScenarios } from './e2e-scenarios.js';
import {
  makeDataDir,
  parseCount,
  postEvents,
  removeDir,
  requireBuiltRenderer,
  startServeWithUi,
  stopServe,
  type RunningServe,
} from './ui-harness.js';

const POLL = { timeout: 20_000, interval: 100 };
const DEMO_SEED = 20_250_101;
const DEMO_EXECUTIONS = 30;

const scenarios = e2eScenarios(Date.now());
const dirs: string[] = [];
let browser: Browser | null = null;
let serve: RunningServe | null = null;
let freshServe: RunningServe | null = null;
let page: Page;
let pageProblems: { errors: string[]; dialogs: string[] };
let expectedExecutions = 0;
let expectedStoredEvents = 0;
let exportFile = '';

const rowSelector = (executionSid: string) => `.exec-scroll [data-sid="${executionSid}"]`;
const topLevelWidgets = (p: Page) => p.locator('[role=tree] > [role=treeitem] > .step-row .widget-name').allTextContents();
const childWidgets = (p: Page, parentStepSid: string) =>
  p
    .locator(`[role=treeitem]:has(> .step-row[data-step-sid="${parentStepSid}"]) > [role=group] > [role=treeitem] > .step-row .widget-name`)
    .allTextContents();

async function openExecution(p: Page, executionSid: string): Promise<void> {
  await p.click(rowSelector(executionSid));
  await p.locator('.exec-title', { hasText: executionSid }).waitFor();
  await p.locator('[role=tree]').waitFor();
}

beforeAll(async () => {
  requireBuiltRenderer();
  const dataDir = makeDataDir();
  dirs.push(dataDir);
  const [started, launched] = await Promise.all([startServeWithUi(dataDir), launchChromium()]);
  serve = started;
  browser = launched;
  ({ page } = await openPage(browser));
  pageProblems = watchPage(page);
  // the page is open before any event arrives: everything below reaches it as live deltas
  await page.goto(serve.uiUrl);
  await page.locator('.connection-open').waitFor();
  await page.getByText('No events yet').waitFor();

  // demo traffic, as fast as the receiver answers, started half an hour ago (older than the
  // scenarios, which started a minute ago and so lead the newest-first list)
  const demo = await playTraffic({
    url: serve.webhookUrl,
    rate: Infinity,
    seed: DEMO_SEED,
    executions: DEMO_EXECUTIONS,
    startTime: Date.now() - 30 * 60_000,
    timelineRate: 0.2,
    trackEventIds: false,
    maxConsecutiveFailures: 3,
  });
  if (demo.failed + demo.rejected > 0) throw new Error(`demo traffic was not acknowledged: ${demo.lastError}`);
  await postEvents(serve.webhookUrl, scenarios.initialEvents);
  expectedExecutions = demo.executions + 4;
  expectedStoredEvents = demo.distinctEvents + scenarios.initialEvents.length;
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await Promise.all([stopServe(serve), stopServe(freshServe)]);
  for (const dir of dirs) removeDir(dir);
}, 60_000);

describe('the headless UI in Chromium', { timeout: 60_000 }, () => {
  it('shows every flow in the sidebar with live counts, and the totals', async () => {
    await expect.poll(async () => parseCount(await page.locator('.pane-count').textContent()), POLL).toBe(expectedExecutions);
    const flow = page.locator(`.flow-item[title="${E2E_FLOW}"]`);
    await expect
      .poll(async () => flow.locator('.count').allTextContents(), POLL)
      .toEqual([String(scenarios.flowCounts.active), String(scenarios.flowCounts.ended), String(scenarios.flowCounts.failed)]);
    // "All flows" sums every flow, and there is more than the e2e flow (the demo's flows)
    const all = (await page.locator('.flow-item').first().locator('.count').allTextContents()).map(parseCount);
    expect(all.reduce((a, b) => a + b, 0)).toBe(expectedExecutions);
    expect(await page.locator('.flow-item').count()).toBeGreaterThan(2);
    await expect.poll(async () => parseCount(await page.locator('[data-counter="Stored"] .counter-value').textContent()), POLL).toBe(expectedStoredEvents);
    expect(parseCount(await page.locator('[data-counter="Received"] .counter-value').textContent())).toBeGreaterThanOrEqual(expectedStoredEvents);
  });

  it('lists the executions newest first, with status and contact', async () => {
    const expectedTop = [scenarios.hostile, scenarios.late, scenarios.messaging, scenarios.ivr].map((s) => s.executionSid);
    await expect
      .poll(async () => (await page.locator('.exec-scroll [data-sid]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-sid')))).slice(0, 4), POLL)
      .toEqual(expectedTop);
    const ivrRow = page.locator(rowSelector(scenarios.ivr.executionSid));
    expect(await ivrRow.locator('.badge').textContent()).toBe('ended');
    expect(await ivrRow.locator('.col-contact').textContent()).toBe('+14155550101');
    const messagingRow = page.locator(rowSelector(scenarios.messaging.executionSid));
    expect(await messagingRow.locator('.badge').textContent()).toBe('active');
    expect(await messagingRow.locator('.col-widget').textContent()).toBe('ask_order_number');
  });

  it('opens an execution: its steps in order, subflow steps nested under their parent', async () => {
    await openExecution(page, scenarios.ivr.executionSid);
    await expect.poll(() => topLevelWidgets(page), POLL).toEqual(scenarios.ivrTopLevel);
    expect(await childWidgets(page, scenarios.ivrSubflowStep)).toEqual(scenarios.ivrSubflowWidgets);
    const parent = page.locator(`.step-row[data-step-sid="${scenarios.ivrSubflowStep}"]`);
    expect(await parent.locator('.widget-name').textContent()).toBe('run_survey');
    expect(await parent.locator('.subflow-tag').textContent()).toBe('subflow · 2');
    const nestedLevels = await page
      .locator(`[role=treeitem]:has(> .step-row[data-step-sid="${scenarios.ivrSubflowStep}"]) > [role=group] > [role=treeitem]`)
      .evaluateAll((items) => items.map((item) => item.getAttribute('aria-level')));
    expect(nestedLevels).toEqual(['2', '2']);
    expect(await page.getByRole('tab', { name: /Steps/ }).textContent()).toBe('Steps (7)');
  });

  it('puts a late, out-of-order step in its place in the open tree', async () => {
    await openExecution(page, scenarios.late.executionSid);
    await expect.poll(() => topLevelWidgets(page), POLL).toEqual(scenarios.lateWidgetsBefore);
    await postEvents(serve!.webhookUrl, [scenarios.lateStep]);
    await expect.poll(() => topLevelWidgets(page), POLL).toEqual(scenarios.lateWidgetsAfter);
    const transitions = await page.locator('[role=tree] > [role=treeitem] > .step-row .transition-to').allTextContents();
    expect(transitions).toEqual(['gather_1', 'split_1', 'say_1', 'send_reply']);
    expect(await page.locator('.step-live strong').textContent()).toBe('send_reply');
  });

  it('renders text from events as text, never as HTML', async () => {
    const row = page.locator(rowSelector(scenarios.hostile.executionSid));
    expect(await row.locator('.col-contact').textContent()).toBe(HOSTILE_CONTACT);
    await openExecution(page, scenarios.hostile.executionSid);
    expect(await topLevelWidgets(page)).toEqual(['Trigger', HOSTILE_WIDGET]);
    expect(await page.locator('.transition-name').allTextContents()).toContain(HOSTILE_TRANSITION);
    expect(await page.locator('.exec-header-panel').textContent()).toContain(HOSTILE_CONTACT);
    // the raw CloudEvent of the hostile step, pretty-printed
    await page.locator('.step-row', { hasText: HOSTILE_TRANSITION }).click();
    expect(await page.locator('pre.raw-json').first().textContent()).toContain(HOSTILE_WIDGET);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script:not([src])').count()).toBe(0);
    expect(pageProblems.dialogs).toEqual([]);
  });

  it('exports from the UI as a download of a valid flowscope.executions file', async () => {
    await page.locator('summary', { hasText: 'Export' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'All executions' }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    exportFile = path.join(dirs[0]!, 'ui-export.json');
    await download.saveAs(exportFile);
    const document = JSON.parse(fs.readFileSync(exportFile, 'utf8')) as ExportDocument;
    expect(document.format).toBe(EXPORT_FORMAT);
    expect(document.version).toBe(EXPORT_VERSION);
    expect(document.executions).toHaveLength(expectedExecutions);
    const bySid = new Map(document.executions.map((e) => [e.summary.executionSid, e]));
    for (const scenario of [scenarios.ivr, scenarios.messaging, scenarios.late, scenarios.hostile]) expect(bySid.has(scenario.executionSid)).toBe(true);
    const ivr = bySid.get(scenarios.ivr.executionSid)!;
    expect(ivr.events).toHaveLength(scenarios.ivr.events.length);
    expect(ivr.steps.map((s: StepNode) => s.widget)).toEqual(scenarios.ivrTopLevel);
    expect(ivr.steps.at(-1)?.children.map((s) => s.widget)).toEqual(scenarios.ivrSubflowWidgets);
    expect(bySid.get(scenarios.late.executionSid)!.steps.map((s) => s.widget)).toEqual(scenarios.lateWidgetsAfter);
  });

  it('imports that file into a fresh serve through the file chooser, and shows it again', async () => {
    expect(exportFile).not.toBe('');
    const dataDir = makeDataDir();
    dirs.push(dataDir);
    freshServe = await startServeWithUi(dataDir);
    const { context, page: fresh } = await openPage(browser!);
    try {
      const problems = watchPage(fresh);
      await fresh.goto(freshServe.uiUrl);
      await fresh.getByText('No events yet').waitFor();
      const [chooser] = await Promise.all([fresh.waitForEvent('filechooser'), fresh.getByRole('button', { name: 'Import…' }).click()]);
      await chooser.setFiles(exportFile);
      await fresh.locator('.toast', { hasText: `Imported ${expectedExecutions} executions` }).waitFor();
      await expect.poll(async () => parseCount(await fresh.locator('.pane-count').textContent()), POLL).toBe(expectedExecutions);
      await openExecution(fresh, scenarios.ivr.executionSid);
      await expect.poll(() => topLevelWidgets(fresh), POLL).toEqual(scenarios.ivrTopLevel);
      expect(await childWidgets(fresh, scenarios.ivrSubflowStep)).toEqual(scenarios.ivrSubflowWidgets);
      expect(problems.errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('refuses a WebSocket with a wrong token, and a page with a wrong token says it is not authorized', async () => {
    const good = new URL(serve!.uiUrl);
    const bad = new URL(good);
    bad.searchParams.set('token', 'not-the-token');
    const { context, page: intruder } = await openPage(browser!);
    try {
      await intruder.goto(bad.toString());
      await intruder.locator('.connection', { hasText: 'Not authorized' }).waitFor({ timeout: 20_000 });
      await intruder.getByRole('status').filter({ hasText: 'Not authorized' }).waitFor();
      expect(await intruder.locator('[data-sid]').count()).toBe(0);

      // from the app's own origin, so that only the token differs
      const wsUrl = (token: string) => `ws://${good.host}/ws?token=${encodeURIComponent(token)}`;
      const tryOpen = (url: string) =>
        intruder.evaluate(
          (u) =>
            new Promise<string>((resolve) => {
              const ws = new WebSocket(u);
              ws.onopen = () => {
                ws.close();
                resolve('open');
              };
              ws.onclose = () => resolve('refused');
            }),
          url,
        );
      expect(await tryOpen(wsUrl('not-the-token'))).toBe('refused');
      expect(await tryOpen(wsUrl(good.searchParams.get('token') ?? ''))).toBe('open');
    } finally {
      await context.close();
    }
  });

  it('settles once traffic stops (events/s back to 0), having logged no errors', async () => {
    await expect.poll(async () => page.locator('[data-counter="Events/s"] .counter-value').textContent(), POLL).toBe('0.0');
    expect(pageProblems.errors).toEqual([]);
    expect(pageProblems.dialogs).toEqual([]);
  });
});

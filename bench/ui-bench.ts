/**
 * `npm run bench:ui`: the headless UI in Chromium against a big store, then under live load.
 *
 * 1. Seeds a data dir with BENCH_EXECUTIONS (default 100,000) stored executions, written straight
 *    through EventStore in big batches of demo events (durability `normal`: a benchmark fixture).
 *    `--data-dir DIR` keeps the store there and reuses it on the next run.
 * 2. Starts `serve` on it (its own process, as a user runs it) and opens the UI in headless
 *    Chromium (1400x900). Time to first render = navigation start -> first execution row in the
 *    DOM, measured in the page (performance.now() is relative to navigation start).
 * 3. Jumps the list to its middle and times until those rows are loaded (virtualized paging).
 * 4. Streams BENCH_RATE (default 1,000) events/s of new demo traffic into the receiver for
 *    BENCH_SECONDS (default 10) while an injected script records every requestAnimationFrame delta
 *    (and long tasks), then prints the longest frame, p95, frames over 50 / 100 ms, the events/s
 *    actually delivered and the page's JS heap.
 * Prints figures only; nothing here asserts on time. Needs the renderer built and /usr/bin/chromium.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { playTraffic } from '../src/core/demo/traffic-player.js';
import { generateTraffic } from '../src/core/demo/traffic-generator.js';
import { EventStore } from '../src/core/store/event-store.js';
import { parseStudioEvent, type StudioEvent } from '../src/shared/studio-event.js';
import { launchChromium, openPage, watchPage } from '../test/support/chromium.js';
import { requireBuiltRenderer, startServeWithUi, stopServe, type RunningServe } from '../test/e2e/ui-harness.js';

const EXECUTIONS = Number(process.env.BENCH_EXECUTIONS ?? 100_000);
const RATE = Number(process.env.BENCH_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** Deliveries in flight at once (Twilio sends many in parallel). */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const SEED_BATCH = 20_000;
/** Mostly short executions (4 events) with some long ones: ~4.6 events per execution. */
const SEED_WEIGHTS = { short: 70, ivr: 8, messaging: 8, whatsapp: 7, failure: 7 };
const DAY_MS = 86_400_000;

const print = (line: string) => process.stdout.write(`${line}\n`);
const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Fills the store unless it already holds enough executions; returns the execution count. */
async function seedStore(dataDir: string, executions: number): Promise<number> {
  const store = EventStore.open(dataDir, { durability: 'normal', maxEventsPerCommit: SEED_BATCH * 2 });
  try {
    const existing = store.counts();
    if (existing.executions >= executions) {
      print(`store: reusing ${existing.executions.toLocaleString('en-US')} executions (${existing.storedEvents.toLocaleString('en-US')} events) in ${dataDir}`);
      return existing.executions;
    }
    const started = Date.now();
    // a week of history that ended an hour ago: the streamed traffic is newer and lands on top
    const span = 7 * DAY_MS;
    const traffic = generateTraffic({
      seed: 1,
      executions,
      startTime: Date.now() - span - 3_600_000,
      eventsPerSecond: (executions * 4.6) / (span / 1000),
      scenarioWeights: SEED_WEIGHTS,
    });
    let batch: StudioEvent[] = [];
    let written = 0;
    let lastReport = started;
    const flush = async () => {
      if (batch.length === 0) return;
      await store.append({ accepted: batch, rejected: [], receivedAt: new Date() });
      written += batch.length;
      batch = [];
      if (Date.now() - lastReport >= 5_000) {
        lastReport = Date.now();
        const counts = store.counts();
        print(`  seeding: ${counts.executions.toLocaleString('en-US')} / ${executions.toLocaleString('en-US')} executions, ${written.toLocaleString('en-US')} events, ${((Date.now() - started) / 1000).toFixed(0)} s`);
      }
    };
    for (const raw of traffic) {
      const parsed = parseStudioEvent(raw);
      if (!parsed.ok) throw new Error(`demo event does not parse: ${parsed.reason}`);
      batch.push(parsed.event);
      if (batch.length >= SEED_BATCH) await flush();
    }
    await flush();
    const counts = store.counts();
    print(`store: seeded ${counts.executions.toLocaleString('en-US')} executions, ${counts.storedEvents.toLocaleString('en-US')} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return counts.executions;
  } finally {
    store.close();
  }
}

/**
 * Runs in the page before its own scripts: the first-row time, every animation frame's delta
 * while recording, and long tasks / long animation frames where Chromium reports them.
 * Plain JavaScript source (not a function handed to playwright): tsx would wrap named functions
 * in a `__name` helper that does not exist in the page.
 */
const PROBE_SCRIPT = `(() => {
  const probe = { firstRowAt: null, recording: false, frames: [], longTasks: [], longFrames: [], blame: [] };
  window.__bench = probe;
  const watchRows = new MutationObserver(() => {
    if (probe.firstRowAt === null && document.querySelector('[data-sid]') !== null) {
      probe.firstRowAt = performance.now();
      watchRows.disconnect();
    }
  });
  watchRows.observe(document, { childList: true, subtree: true });
  let last = 0;
  const tick = (now) => {
    if (probe.recording && last > 0) probe.frames.push(now - last);
    last = now;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  for (const [type, into] of [['longtask', probe.longTasks], ['long-animation-frame', probe.longFrames]]) {
    try {
      new PerformanceObserver((list) => {
        if (!probe.recording) return;
        for (const entry of list.getEntries()) {
          into.push(entry.duration);
          // long animation frames tell how much was script and how much style and layout
          if (entry.entryType !== 'long-animation-frame' || entry.duration < 50) continue;
          const end = entry.startTime + entry.duration;
          const scripts = (entry.scripts ?? []).filter((script) => script.duration >= 10)
            .map((script) => Math.round(script.duration) + ' ms ' + script.invoker + (script.sourceFunctionName ? ' ' + script.sourceFunctionName : ''));
          probe.blame.push(Math.round(entry.duration) + ' ms frame: blocking ' + Math.round(entry.blockingDuration) +
            ' ms, style+layout ' + Math.round(entry.styleAndLayoutStart > 0 ? end - entry.styleAndLayoutStart : 0) +
            ' ms' + (scripts.length > 0 ? ', scripts: ' + scripts.join(', ') : ''));
        }
      }).observe({ type, buffered: false });
    } catch {
      // not supported by this Chromium: the rAF deltas still tell
    }
  }
})();`;

/** What the page holds (this file is type-checked without the DOM lib: reach it through globalThis). */
type PageGlobals = { __bench: ProbeResult & { recording: boolean; firstRowAt: number | null } };
type RowElement = { getAttribute(name: string): string | null };
type PageDocument = { document: { querySelectorAll(selector: string): Iterable<RowElement> } };

interface ProbeResult {
  frames: number[];
  longTasks: number[];
  longFrames: number[];
  /** What long animation frames (50 ms+) spent their time on: what to look at first. */
  blame: string[];
}

const setRecording = (page: Page, on: boolean) =>
  page.evaluate((value) => {
    const probe = (globalThis as unknown as PageGlobals).__bench;
    if (value) {
      probe.frames.length = 0;
      probe.longTasks.length = 0;
      probe.longFrames.length = 0;
      probe.blame.length = 0;
    }
    probe.recording = value;
  }, on);

const readProbe = (page: Page) =>
  page.evaluate(() => {
    const { frames, longTasks, longFrames, blame } = (globalThis as unknown as PageGlobals).__bench;
    return { frames: [...frames], longTasks: [...longTasks], longFrames: [...longFrames], blame: [...blame] };
  });

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function heapMiB(page: Page): Promise<{ used: number; total: number }> {
  const session = await page.context().newCDPSession(page);
  try {
    const usage = (await session.send('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
    return { used: usage.usedSize / 2 ** 20, total: usage.totalSize / 2 ** 20 };
  } finally {
    await session.detach();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' } } });
  requireBuiltRenderer();
  const keep = values['data-dir'] !== undefined;
  const dataDir = path.resolve(values['data-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'flowscope-ui-bench-')));
  print(`ui bench: ${EXECUTIONS.toLocaleString('en-US')} stored executions, then ${RATE} events/s for ${SECONDS} s (${os.cpus().length} CPUs)`);
  let serve: RunningServe | null = null;
  const browser = await launchChromium();
  try {
    const stored = await seedStore(dataDir, EXECUTIONS);
    serve = await startServeWithUi(dataDir);
    const { page } = await openPage(browser, { width: 1400, height: 900 });
    const problems = watchPage(page);
    await page.addInitScript({ content: PROBE_SCRIPT });

    await page.goto(serve.uiUrl);
    await page.locator('[data-sid]').first().waitFor({ timeout: 120_000 });
    const firstRowAt = await page.evaluate(() => (globalThis as unknown as PageGlobals).__bench.firstRowAt);
    const shownTotal = await page.locator('.pane-count').textContent();
    print(`time to first render (navigation start -> first row): ${ms(firstRowAt ?? Number.NaN)}  [list shows ${shownTotal} of ${stored.toLocaleString('en-US')}]`);

    // jump to the middle of the virtual list: only the pages on screen are fetched
    const middle = Math.floor(stored / 2);
    const jumpStarted = await page.evaluate(() => performance.now());
    await page.locator('.exec-scroll').evaluate((element, row) => {
      element.scrollTop = row * 26;
    }, middle);
    await page.waitForFunction(
      (row) =>
        [...(globalThis as unknown as PageDocument).document.querySelectorAll('[data-sid]')].some(
          (r) => Math.abs(Number(r.getAttribute('aria-rowindex')) - row) < 20,
        ),
      middle,
      { timeout: 60_000 },
    );
    const jumpEnded = await page.evaluate(() => performance.now());
    print(`jump to row ${middle.toLocaleString('en-US')}: rows shown after ${ms(jumpEnded - jumpStarted)}`);
    await page.locator('.exec-scroll').evaluate((element) => {
      element.scrollTop = 0;
    });
    await page.waitForTimeout(1_000);

    await setRecording(page, true);
    const streamStarted = Date.now();
    const traffic = await playTraffic({
      url: serve.webhookUrl,
      rate: RATE,
      count: RATE * SECONDS,
      seed: 2 + (Math.floor(Date.now() / 1000) % 1_000_000), // new event ids on every run, even on a kept store
      // paced by the rate alone, executions compressed to seconds: a steady RATE from the first
      // second (following the real-time timeline would ramp up over minutes of call durations)
      followTimeline: false,
      timeScale: 20,
      concurrency: CONCURRENCY,
      trackEventIds: false,
      maxConsecutiveFailures: 3,
    });
    const streamSeconds = (Date.now() - streamStarted) / 1000;
    await page.waitForTimeout(500); // the last deltas land
    await setRecording(page, false);
    const probe = await readProbe(page);
    const heap = await heapMiB(page);
    const frames = probe.frames;
    const longest = frames.reduce((max, value) => Math.max(max, value), 0);
    print(`streamed ${traffic.events.toLocaleString('en-US')} events (${traffic.acknowledged.toLocaleString('en-US')} of ${traffic.deliveries.toLocaleString('en-US')} deliveries acknowledged, ${traffic.failed + traffic.rejected} failed) in ${streamSeconds.toFixed(1)} s: ${(traffic.events / streamSeconds).toFixed(0)} events/s delivered`);
    if (traffic.events / streamSeconds < RATE * 0.9) print(`  (below the target ${RATE} events/s: the receiver did not keep up on this machine)`);
    print(`frames while streaming: ${frames.length} (${(frames.length / (streamSeconds + 0.5)).toFixed(0)} fps)`);
    print(`  longest frame: ${ms(longest)}`);
    print(`  p95 frame time: ${ms(percentile(frames, 95))}   p50: ${ms(percentile(frames, 50))}`);
    print(`  frames > 50 ms: ${frames.filter((f) => f > 50).length}   > 100 ms: ${frames.filter((f) => f > 100).length}`);
    print(`  long tasks: ${probe.longTasks.length} (longest ${ms(Math.max(0, ...probe.longTasks))})   long animation frames: ${probe.longFrames.length} (longest ${ms(Math.max(0, ...probe.longFrames))})`);
    for (const line of probe.blame.slice(0, 5)) print(`  long frame: ${line}`);
    print(`page JS heap: ${heap.used.toFixed(1)} MiB used of ${heap.total.toFixed(1)} MiB`);
    print(`list shows ${await page.locator('.pane-count').textContent()} executions; Received counter ${await page.locator('[data-counter="Received"] .counter-value').textContent()}`);
    if (problems.errors.length > 0) print(`page errors: ${problems.errors.slice(0, 5).join(' | ')}`);
  } finally {
    await browser.close();
    await stopServe(serve);
    if (!keep) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

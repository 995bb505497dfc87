/**
 * The one-click Twilio connection end to end in real Chromium: `serve` (headless) as a child
 * process whose Twilio API calls go to a fake Twilio in this test process
 * (FLOWSCOPE_TWILIO_API_URL) and whose public URL is the receiver itself (FLOWSCOPE_PUBLIC_URL,
 * so no tunnel): the user fills in the Connect form, sees the steps and "connected", the fake
 * delivers signed Studio events that show up in the list, and Disconnect leaves no sink or
 * subscription behind in the fake account.
 *
 * Needs the renderer built (out/renderer; `npm test` builds it first) and /usr/bin/chromium.
 * The tests run in order on one server and one page. Nothing asserts on wall-clock time.
 */
import net from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFakeTwilio, type FakeTwilio } from '../fakes/fake-twilio/fake-twilio.js';
import { ivrScenario } from '../shared/studio-fixtures.js';
import { launchChromium, openPage, watchPage } from '../support/chromium.js';
import { startServe } from '../support/serve-process.js';
import { makeDataDir, removeDir, requireBuiltRenderer, stopServe, type RunningServe } from './ui-harness.js';

const POLL = { timeout: 20_000, interval: 100 };
const STEPS = ['credentials', 'receiver', 'tunnel', 'verification', 'cleanup', 'sink', 'subscription', 'test'];

let fake: FakeTwilio;
let serve: RunningServe | null = null;
let browser: Browser | null = null;
let page: Page;
let pageProblems: { errors: string[]; dialogs: string[] };
let publicUrl = '';
let dataDir = '';

/** A port that was free a moment ago: the public URL must name the receiver's port before serve starts. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const statusBarText = () => page.locator('footer.status-bar .twilio-status').textContent();
const stepStates = () => page.locator('.connect-step[data-step]').evaluateAll((rows) => rows.map((row) => `${row.getAttribute('data-step')}:${row.getAttribute('data-state')}`));

beforeAll(async () => {
  requireBuiltRenderer();
  fake = await createFakeTwilio();
  const port = await freePort();
  publicUrl = `http://127.0.0.1:${port}`;
  dataDir = makeDataDir('flowscope-connect-e2e-');
  const [started, launched] = await Promise.all([
    startServe(['--port', String(port), '--ui-port', '0', '--data-dir', dataDir], {
      // no ambient credentials: everything comes from the form
      TWILIO_ACCOUNT_SID: '',
      TWILIO_AUTH_TOKEN: '',
      TWILIO_API_KEY_SID: '',
      TWILIO_API_KEY_SECRET: '',
      NGROK_AUTHTOKEN: '',
      FLOWSCOPE_TWILIO_API_URL: fake.baseUrl,
      FLOWSCOPE_PUBLIC_URL: publicUrl,
    }),
    launchChromium(),
  ]);
  if (started.uiUrl === null) throw new Error(`serve printed no UI URL:\n${started.output()}`);
  serve = { ...started, uiUrl: started.uiUrl, dataDir };
  browser = launched;
  ({ page } = await openPage(browser));
  pageProblems = watchPage(page);
  await page.goto(serve.uiUrl);
  await page.locator('.connection-open').waitFor();
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stopServe(serve);
  await fake?.close();
  if (dataDir !== '') removeDir(dataDir);
}, 60_000);

describe('Connect in the headless UI', { timeout: 60_000 }, () => {
  it('starts not connected, with the file storage said to be unencrypted', async () => {
    await expect.poll(statusBarText, POLL).toBe('Twilio: not connected');
    await page.getByRole('button', { name: 'Connect Twilio' }).click();
    const panel = page.getByRole('dialog', { name: 'Twilio connection' });
    await panel.waitFor();
    expect(await panel.getByTestId('secrets-storage').textContent()).toContain('Not encrypted');
    expect(await panel.getByLabel('Auth Token').getAttribute('type')).toBe('password');
  });

  it('connects from the form, showing each step, and registers the sink with the fake Twilio', async () => {
    const { accountSid, authToken } = fake.authTokenCredentials();
    const panel = page.getByRole('dialog', { name: 'Twilio connection' });
    // record every step state the page shows on the way (page code as text: this file has no DOM types)
    await page.evaluate(`(() => {
      const seen = new Set();
      window.connectSeen = seen;
      new MutationObserver(() => {
        for (const row of document.querySelectorAll('.connect-step[data-step]')) seen.add(row.getAttribute('data-step') + ':' + row.getAttribute('data-state'));
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'] });
    })()`);
    await panel.getByLabel('Account SID').fill(accountSid);
    await panel.getByLabel('Auth Token').fill(authToken);
    await panel.getByRole('button', { name: 'Connect', exact: true }).click();

    await page.getByRole('button', { name: 'Connected · Flowscope test account' }).waitFor({ timeout: POLL.timeout });
    expect(await stepStates()).toEqual(STEPS.map((step) => `${step}:done`));
    const seen = (await page.evaluate('[...window.connectSeen]')) as string[];
    expect(seen.filter((state) => state.endsWith(':running')).length).toBeGreaterThan(0);
    expect(await page.locator('.connect-step[data-step="test"] .step-message').textContent()).toMatch(/round trip \d+ ms/);
    await expect.poll(statusBarText, POLL).toBe(`Twilio: connected via your public URL ${publicUrl}`);
    // receiver.info was fetched again: the receiver checks signatures against the public URL now
    await page.locator('footer.status-bar .receiver', { hasText: `${publicUrl}/events` }).waitFor();
    expect(await page.locator('footer.status-bar .receiver').textContent()).not.toContain('signatures not checked');

    const sinks = fake.sinks();
    expect(sinks).toHaveLength(1);
    expect(sinks[0]?.sinkConfiguration).toMatchObject({ destination: `${publicUrl}/events`, method: 'POST' });
    expect(fake.subscriptions()).toHaveLength(1);
    expect(await panel.getByText(sinks[0]!.sid, { exact: true }).count()).toBe(1);
    expect(await page.content()).not.toContain(authToken);
  });

  it('shows the executions Twilio delivers through the sink', async () => {
    const scenario = ivrScenario();
    const records = await fake.deliver(scenario.events, { batchSize: 3, duplicateRate: 0.3, seed: 5 });
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((record) => record.outcome === 'acknowledged')).toBe(true);
    await page.getByRole('button', { name: 'Close' }).click();
    await page.locator(`.exec-scroll [data-sid="${scenario.executionSid}"]`).waitFor({ timeout: POLL.timeout });
  });

  it('disconnects: the fake account has no sink or subscription left', async () => {
    await page.getByRole('button', { name: 'Connected · Flowscope test account' }).click();
    const panel = page.getByRole('dialog', { name: 'Twilio connection' });
    await panel.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Connect Twilio' }).waitFor({ timeout: POLL.timeout });
    await expect.poll(statusBarText, POLL).toBe('Twilio: not connected');
    expect(fake.sinks()).toEqual([]);
    expect(fake.subscriptions()).toEqual([]);
    // the form is back, its secret field empty
    expect(await panel.getByLabel('Auth Token').inputValue()).toBe('');
    expect(pageProblems.errors).toEqual([]);
    expect(pageProblems.dialogs).toEqual([]);
  });
});

/**
 * The Connect panel's screenshot, taken from the real UI: `serve` against a fake Twilio
 * (FLOWSCOPE_TWILIO_API_URL) with the receiver as its own public URL, demo traffic delivered
 * through the sink, headless Chromium at 1400x900.
 *
 *   npx tsx test/e2e/take-connect-screenshot.ts [--out docs/connect.png] [--progress P.png] [--form F.png] [--failure X.png] [--dark]
 *
 * Extra shots for review: `--form` the filled-in form with its advanced settings open,
 * `--failure` a Connect refused by Twilio (wrong Auth Token), `--progress` a Connect caught at
 * its last step (the fake holds the Sink Test).
 * Needs the renderer built (npx electron-vite build). Not a test: it only writes PNG files.
 */
import net from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { generateTraffic } from '../../src/core/demo/traffic-generator.js';
import { createFakeTwilio, type FakeTwilio } from '../fakes/fake-twilio/fake-twilio.js';
import { newFakeAccount } from '../fakes/fake-twilio/fake-state.js';
import { launchChromium, openPage, watchPage } from '../support/chromium.js';
import { REPO_ROOT, startServe, type ServeProcess } from '../support/serve-process.js';
import { makeDataDir, removeDir, requireBuiltRenderer, stopServe } from './ui-harness.js';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startAgainst(fake: FakeTwilio, dataDir: string): Promise<{ serve: ServeProcess; uiUrl: string }> {
  const port = await freePort();
  const serve = await startServe(['--port', String(port), '--ui-port', '0', '--data-dir', dataDir], {
    TWILIO_ACCOUNT_SID: '',
    TWILIO_AUTH_TOKEN: '',
    TWILIO_API_KEY_SID: '',
    TWILIO_API_KEY_SECRET: '',
    NGROK_AUTHTOKEN: '',
    FLOWSCOPE_TWILIO_API_URL: fake.baseUrl,
    FLOWSCOPE_PUBLIC_URL: `http://127.0.0.1:${port}`,
  });
  if (serve.uiUrl === null) throw new Error('serve printed no UI URL');
  return { serve, uiUrl: serve.uiUrl };
}

interface ExtraShots {
  progress?: string | undefined;
  form?: string | undefined;
  failure?: string | undefined;
  dark?: boolean;
}

async function fillAndConnect(page: Page, fake: FakeTwilio, token?: string): Promise<void> {
  const { accountSid, authToken } = fake.authTokenCredentials();
  if ((await page.getByRole('dialog', { name: 'Twilio connection' }).count()) === 0) await page.getByRole('button', { name: 'Connect Twilio' }).click();
  const panel = page.getByRole('dialog', { name: 'Twilio connection' });
  await panel.getByLabel('Account SID').fill(accountSid);
  await panel.getByLabel('Auth Token').fill(token ?? authToken);
  await panel.getByRole('button', { name: 'Connect', exact: true }).click();
}

async function shot(page: Page, file: string, label: string): Promise<void> {
  await page.mouse.move(700, 890); // no hover highlight
  await page.waitForTimeout(300);
  await page.screenshot({ path: file });
  process.stdout.write(`${label}: ${path.relative(process.cwd(), file)}\n`);
}

async function shoot(out: string, extra: ExtraShots): Promise<void> {
  const fake = await createFakeTwilio({ accounts: [newFakeAccount({ friendlyName: 'Acme Support (production)' })] });
  const dataDir = makeDataDir('flowscope-connect-shot-');
  let serve: ServeProcess | null = null;
  const browser = await launchChromium();
  try {
    let uiUrl: string;
    ({ serve, uiUrl } = await startAgainst(fake, dataDir));
    const { page } = await openPage(browser, { width: 1400, height: 900, colorScheme: extra.dark === true ? 'dark' : 'light' });
    const problems = watchPage(page);
    await page.goto(uiUrl);
    await page.locator('.connection-open').waitFor();

    if (extra.form !== undefined) {
      await page.getByRole('button', { name: 'Connect Twilio' }).click();
      const panel = page.getByRole('dialog', { name: 'Twilio connection' });
      await panel.getByLabel('Account SID').fill(fake.account.sid);
      await panel.getByLabel('Auth Token').fill('0123456789abcdef0123456789abcdef');
      await panel.getByLabel('ngrok authtoken').fill('2abcdefghijklmnopqrstuvwxyz_0123456789ABCDEFGHIJ');
      await panel.getByText('Advanced settings').click();
      await shot(page, extra.form, 'form');
      await panel.getByRole('button', { name: 'Close' }).click();
    }
    if (extra.failure !== undefined) {
      await fillAndConnect(page, fake, 'f'.repeat(32));
      await page.getByRole('alert', { name: 'Connect failed' }).waitFor();
      await shot(page, extra.failure, 'failure');
    }
    if (extra.progress !== undefined) {
      fake.failNext('createSinkTest', { network: 'hang' });
      await fillAndConnect(page, fake);
      await page.locator('.connect-step[data-step="test"][data-state="running"]').waitFor();
      await shot(page, extra.progress, 'progress');
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: 'Connect Twilio' }).waitFor();
    }

    await fillAndConnect(page, fake);
    await page.getByRole('button', { name: /^Connected · / }).waitFor({ timeout: 30_000 });
    const events = [...generateTraffic({ seed: 11, executions: 24, startTime: Date.now() - 10 * 60_000 })];
    await fake.deliver(events, { batchSize: 5, seed: 3 });
    await page.locator('.exec-scroll [data-sid]').first().waitFor();
    await shot(page, out, 'connected');
    if (problems.errors.length > 0 || problems.dialogs.length > 0) throw new Error(`page problems: ${[...problems.errors, ...problems.dialogs].join('; ')}`);
  } finally {
    await browser.close();
    await stopServe(serve);
    await fake.close();
    removeDir(dataDir);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, progress: { type: 'string' }, form: { type: 'string' }, failure: { type: 'string' }, dark: { type: 'boolean' } } });
  requireBuiltRenderer();
  const resolve = (file: string | undefined) => (file === undefined ? undefined : path.resolve(file));
  await shoot(path.resolve(values.out ?? path.join(REPO_ROOT, 'docs/connect.png')), {
    progress: resolve(values.progress),
    form: resolve(values.form),
    failure: resolve(values.failure),
    dark: values.dark === true,
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});

/**
 * Demo traffic generator: plays realistic Twilio Studio executions into a running Flowscope
 * receiver, delivered as Twilio Event Streams would. A new user sees the app work without a
 * Twilio account; benchmarks use the same player (src/core/demo/traffic-player.ts).
 *
 *   npm run demo -- [--url http://127.0.0.1:3977/events] [--executions 40] [--rate 20]
 *
 * Exit codes: 0 all acknowledged; 1 the receiver is unreachable or deliveries failed or were
 * rejected; 2 bad flags; 130 interrupted. The auth token is never printed.
 */
import { randomInt } from 'node:crypto';
import { DEMO_USAGE, parseDemoCliArgs, type DemoCliOptions } from '../core/demo/demo-cli-options.js';
import { probeReceiver } from '../core/demo/delivery-sender.js';
import { displayUrl, hints, progressLine, summaryLine, unreachableMessage } from '../core/demo/demo-cli-report.js';
import { playTraffic } from '../core/demo/traffic-player.js';

async function run(options: DemoCliOptions): Promise<number> {
  const url = displayUrl(options.url);
  const probe = await probeReceiver(options.url);
  if (!probe.ok) {
    process.stderr.write(`${unreachableMessage(url, probe.code)}\n`);
    return 1;
  }

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write('\nStopping (Ctrl-C again to quit at once)...\n');
    controller.abort();
  };
  process.on('SIGINT', onSigint);

  const tty = process.stdout.isTTY === true;
  let lastPrinted = 0;
  const amount = options.count === undefined ? `${options.executions ?? 40} executions` : `${options.count} events`;
  const pace = Number.isFinite(options.rate) ? `${options.rate} events/s` : 'full speed';
  process.stdout.write(
    `Playing ${amount} at ${pace} into ${url} (seed ${options.seed}, ` +
      `${options.authToken ? 'signed' : 'unsigned'}). Ctrl-C to stop.\n`,
  );
  try {
    const summary = await playTraffic({
      url: options.url,
      authToken: options.authToken,
      publicUrl: options.publicUrl,
      rate: options.rate,
      count: options.count,
      executions: options.executions,
      concurrency: options.concurrency,
      seed: options.seed,
      timeScale: options.timeScale,
      delivery: { duplicateRate: options.duplicateRate, reorderRate: options.reorderRate, batchMax: options.batchMax },
      trackEventIds: false,
      maxConsecutiveFailures: 3,
      signal: controller.signal,
      progressIntervalMs: tty ? 250 : 2_000,
      onProgress: (progress) => {
        if (tty) process.stdout.write(`\r\x1b[2K${progressLine(progress)}`);
        else if (progress.elapsedMs - lastPrinted >= 2_000) {
          lastPrinted = progress.elapsedMs;
          process.stdout.write(`${progressLine(progress)}\n`);
        }
      },
    });
    if (tty) process.stdout.write('\r\x1b[2K');
    process.stdout.write(`${summaryLine(summary, url, options.seed)}\n`);
    for (const hint of hints(summary, url)) process.stderr.write(`${hint}\n`);
    if (summary.aborted) return 130;
    return summary.failed + summary.rejected > 0 ? 1 : 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

async function main(): Promise<number> {
  const parsed = parseDemoCliArgs(process.argv.slice(2), process.env, () => randomInt(1, 2 ** 31));
  if (parsed.kind === 'help') {
    process.stdout.write(`${DEMO_USAGE}\n`);
    return 0;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`demo: ${parsed.message}\n\n${DEMO_USAGE}\n`);
    return 2;
  }
  return run(parsed.options);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Only our own messages reach here (never the token): print them without a stack.
    process.stderr.write(`demo: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);

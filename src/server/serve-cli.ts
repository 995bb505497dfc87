/**
 * `npm run serve`: the headless Flowscope — the same core as the desktop app under plain Node.
 * Prints `Webhook URL: ...` on a line of its own (scripts read it). SIGTERM/SIGINT stop the
 * receiver (in-flight deliveries finish and commit), then close the store, then exit 0.
 *
 * The auth token comes only from the environment (TWILIO_AUTH_TOKEN), never from a flag, so it
 * does not show in `ps` output or shell history; it is never printed.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Monitor } from '../core/monitor.js';
import { startUiServer, type UiServer } from './ui-server.js';
import { parsePort, resolveDataDir, runCli, UsageError } from './cli-common.js';

const USAGE = `usage: npm run serve -- [--port 3977] [--host 127.0.0.1] [--path /events] [--data-dir DIR]
                         [--public-url https://example.ngrok-free.app] [--ui-port 3978 | --no-ui]

  --port        webhook receiver port (0 = any free port)
  --host        address the receiver binds (default 127.0.0.1; a tunnel forwards to it)
  --path        webhook path (default /events)
  --data-dir    where the event store lives (default $FLOWSCOPE_DATA_DIR or ~/.flowscope)
  --public-url  the public base URL Twilio posts to; X-Twilio-Signature is checked against it
  --ui-port     port of the browser UI (127.0.0.1 only; never tunneled; 0 = any free port)
  --no-ui       capture only, no browser UI
  environment:  TWILIO_AUTH_TOKEN turns on signature verification`;

/** The built renderer (npm run build), next to src/ in a checkout. */
const RENDERER_DIR = path.resolve(import.meta.dirname, '../../out/renderer');

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        path: { type: 'string' },
        'data-dir': { type: 'string' },
        'public-url': { type: 'string' },
        'ui-port': { type: 'string' },
        'no-ui': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const dataDir = resolveDataDir(values['data-dir']);
  const uiPort = values['no-ui'] ? null : parsePort(values['ui-port'], 3978, '--ui-port');
  const authToken = process.env.TWILIO_AUTH_TOKEN?.trim() || null;
  const monitor = await Monitor.start({
    dataDir,
    receiver: { port: parsePort(values.port, 3977, '--port'), host: values.host, path: values.path },
    verification: { authToken, publicUrl: values['public-url'] ?? null },
    log: (line) => process.stderr.write(`${line}\n`),
  });
  let ui: UiServer | null = null;
  if (uiPort !== null) {
    try {
      ui = await startUiServer({ host: monitor.host, port: uiPort, rendererDir: RENDERER_DIR });
    } catch (error) {
      await monitor.stop();
      throw error;
    }
  }
  const state = monitor.receiverState();
  process.stdout.write(`Flowscope is capturing Studio events into ${dataDir}\n`);
  process.stdout.write(`Webhook URL: ${state.localUrl}${state.path}\n`);
  if (state.destinationUrl) process.stdout.write(`Public URL: ${state.destinationUrl}\n`);
  process.stdout.write(
    state.verifiesSignature
      ? 'Signature verification: on (X-Twilio-Signature checked with TWILIO_AUTH_TOKEN)\n'
      : 'Signature verification: off (set TWILIO_AUTH_TOKEN to turn it on)\n',
  );

  if (ui) process.stdout.write(`UI URL: ${ui.url}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`${signal}: stopping (finishing in-flight deliveries)...\n`);
    Promise.resolve(ui?.close())
      .then(() => monitor.stop())
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        process.stderr.write(`error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

runCli(USAGE, main);

/**
 * `npm run serve`: the headless Flowscope — the same core as the desktop app under plain Node.
 * Prints `Webhook URL: ...` on a line of its own (scripts read it). SIGTERM/SIGINT stop the
 * receiver (in-flight deliveries finish and commit), then close the store, then exit 0.
 *
 * `--connect` connects to Twilio at start with the environment's credentials (TWILIO_ACCOUNT_SID
 * + TWILIO_AUTH_TOKEN, or TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET; NGROK_AUTHTOKEN) or the
 * user-only credentials file, prints each step and `Public URL: ...`, and on SIGTERM/SIGINT
 * disconnects (deleting the sink and subscription it created) before exiting. Without it, the
 * UI's Connect button does the same through the contract. FLOWSCOPE_PUBLIC_URL (or --public-url)
 * skips the tunnel; FLOWSCOPE_TWILIO_API_URL sends every Twilio API call elsewhere.
 *
 * Secrets come only from the environment or the 0600 file, never from flags (they would show in
 * `ps` output and shell history), and are never printed: every line about the connection comes
 * from its redacted status.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConnectionSettingsStore } from '../core/connection/connection-settings.js';
import type { ConnectInput, CredentialDefaults } from '../core/connection/connect-credentials.js';
import { Monitor, type MonitorConnectionOptions } from '../core/monitor.js';
import { writeExport } from '../core/store/export-writer.js';
import { defaultCredentialsFile } from '../core/secrets/credentials-file.js';
import { HEADLESS_ENV, loadHeadlessCredentials, type HeadlessCredentials } from '../core/secrets/headless-credentials.js';
import { publicUrlFromEnv } from '../core/tunnel/tunnel-provider.js';
import type { ConnectionStatus } from '../shared/contract.js';
import { startUiServer, type UiServer } from './ui-server.js';
import { loadOrCreateUiToken } from './ui-token.js';
import { parsePort, resolveDataDir, runCli, UsageError } from './cli-common.js';

const USAGE = `usage: npm run serve -- [--port 3977] [--host 127.0.0.1] [--path /events] [--data-dir DIR]
                         [--public-url https://example.ngrok-free.app] [--ui-port 3978 | --no-ui] [--connect]

  --port        webhook receiver port (0 = any free port; default: the saved setting, else 3977)
  --host        address the receiver binds (default 127.0.0.1; a tunnel forwards to it)
  --path        webhook path (default: the saved setting, else /events)
  --data-dir    where the event store lives (default $FLOWSCOPE_DATA_DIR or ~/.flowscope)
  --public-url  the public base URL Twilio posts to; X-Twilio-Signature is checked against it
  --ui-port     port of the browser UI (127.0.0.1 only; never tunneled; 0 = any free port)
  --no-ui       capture only, no browser UI
  --connect     connect to Twilio at start (tunnel, sink, subscription, test event); disconnect on exit
  environment:  TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID + TWILIO_API_KEY_SECRET),
                NGROK_AUTHTOKEN, else <data-dir>/credentials.json (mode 0600);
                FLOWSCOPE_PUBLIC_URL skips the tunnel; FLOWSCOPE_TWILIO_API_URL redirects Twilio API calls;
                TWILIO_AUTH_TOKEN alone turns on signature verification;
                FLOWSCOPE_UI_TOKEN sets the UI token (default: random, kept in <data-dir>/ui-token)`;

/** The built renderer (npm run build), next to src/ in a checkout. */
const RENDERER_DIR = path.resolve(import.meta.dirname, '../../out/renderer');

type Env = Readonly<Record<string, string | undefined>>;

export interface ServeOptions {
  dataDir: string;
  receiver: { port?: number; host?: string; path?: string };
  publicUrl: string | null;
  /** null: no browser UI. */
  uiPort: number | null;
  env: Env;
  out(line: string): void;
  err(line: string): void;
  /** In-process hosts (tests, e2e) may replace the tunnel provider or the Twilio API base here. */
  connection?: MonitorConnectionOptions;
}

export interface RunningServe {
  monitor: Monitor;
  ui: UiServer | null;
  /** Disconnects (when connected; a Connect in progress is cancelled and undone), stops the UI and the monitor. */
  stop(): Promise<void>;
}

/** Starts the headless monitor and UI; prints the URLs. */
export async function startServe(options: ServeOptions): Promise<RunningServe> {
  const { env, out } = options;
  const authToken = env.TWILIO_AUTH_TOKEN?.trim() || null;
  const monitor = await Monitor.start({
    dataDir: options.dataDir,
    receiver: options.receiver,
    verification: { authToken, publicUrl: options.publicUrl },
    log: (line) => options.err(line),
    connection: { env, credentialDefaults: defaultsFromEnv(env), ...options.connection },
  });
  let ui: UiServer | null = null;
  if (options.uiPort !== null) {
    try {
      const token = loadOrCreateUiToken(options.dataDir, env);
      ui = await startUiServer({
        host: monitor.host,
        port: options.uiPort,
        rendererDir: RENDERER_DIR,
        token,
        exportTo: (filter, out) => writeExport(monitor.store, filter, out),
      });
    } catch (error) {
      await monitor.stop();
      throw error;
    }
  }
  const state = monitor.receiverState();
  out(`Flowscope is capturing Studio events into ${options.dataDir}`);
  out(`Webhook URL: ${state.localUrl}${state.path}`);
  if (ui) out(`UI URL: ${ui.url}`);
  monitor.connection.onChange(printConnection(out));
  return {
    monitor,
    ui,
    stop: async () => {
      await ui?.close();
      await monitor.stop();
    },
  };
}

/** Prints how deliveries are checked when there is no Connect at start. */
export function printVerification(running: RunningServe, out: (line: string) => void): void {
  const state = running.monitor.receiverState();
  if (state.destinationUrl) out(`Public URL: ${state.destinationUrl}`);
  out(
    state.verifiesSignature
      ? 'Signature verification: on (X-Twilio-Signature checked with TWILIO_AUTH_TOKEN)'
      : 'Signature verification: off (set TWILIO_AUTH_TOKEN to turn it on)',
  );
}

/**
 * `--connect`: checks the credentials (environment, else the 0600 file) before anything starts.
 * Throws a printable error when they are missing or half-configured.
 */
export async function loadConnectCredentials(env: Env, dataDir: string): Promise<HeadlessCredentials> {
  const credentials = await loadHeadlessCredentials(env, defaultCredentialsFile(dataDir));
  if (credentials.twilio === null) {
    throw new Error(
      '--connect needs Twilio credentials: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY_SID and ' +
        `TWILIO_API_KEY_SECRET), or put them in ${defaultCredentialsFile(dataDir)}`,
    );
  }
  return credentials;
}

/** Connects with these credentials; resolves with the final status (printed as it goes). */
export async function connectAtStart(running: RunningServe, credentials: HeadlessCredentials, publicUrl: string | null, out: (line: string) => void): Promise<ConnectionStatus> {
  const status = await running.monitor.connection.connect(connectInput(credentials, publicUrl));
  if (status.state === 'connected') {
    const verification =
      status.verification === 'signature'
        ? 'on (X-Twilio-Signature)'
        : status.verification === 'basic-auth'
          ? "off (no Auth Token); deliveries must carry the sink URL's random HTTP Basic password"
          : 'off';
    out(`Signature verification: ${verification}`);
  }
  return status;
}

/**
 * What the UI's Connect falls back to when its form leaves a field empty. Raw values (shapes are
 * checked at Connect): TWILIO_AUTH_TOKEN alone, used for verification since before Connect
 * existed, must not make the server refuse to start.
 */
function defaultsFromEnv(env: Env): CredentialDefaults {
  return {
    accountSid: env[HEADLESS_ENV.accountSid] ?? null,
    authToken: env[HEADLESS_ENV.authToken] ?? null,
    apiKeySid: env[HEADLESS_ENV.apiKeySid] ?? null,
    apiKeySecret: env[HEADLESS_ENV.apiKeySecret] ?? null,
    ngrokAuthtoken: env[HEADLESS_ENV.ngrokAuthtoken] ?? null,
  };
}

function connectInput(credentials: HeadlessCredentials, publicUrl: string | null): ConnectInput {
  const twilio = credentials.twilio;
  const input: ConnectInput = { remember: false, removeOtherInstalls: false };
  if (twilio !== null) {
    input.accountSid = twilio.accountSid;
    if (twilio.apiKey !== null) {
      input.apiKeySid = twilio.apiKey.sid;
      input.apiKeySecret = twilio.apiKey.secret;
    }
    if (twilio.authToken !== null) input.authToken = twilio.authToken;
  }
  if (credentials.ngrok.authtoken !== null) input.ngrokAuthtoken = credentials.ngrok.authtoken;
  if (credentials.ngrok.domain !== null) input.ngrokDomain = credentials.ngrok.domain;
  if (publicUrl !== null) input.publicUrl = publicUrl;
  return input;
}

/** Prints each finished step once, warnings once, the public URL whenever it changes, and the disconnect. */
function printConnection(out: (line: string) => void): (status: ConnectionStatus) => void {
  const printed = new Set<string>();
  let lastUrl: string | null = null;
  let wasConnected = false;
  return (status) => {
    for (const step of status.steps) {
      const key = `${step.step}|${step.state}|${step.at}|${step.message}`;
      if (step.state === 'running' || printed.has(key)) continue;
      printed.add(key);
      out(`Connect ${step.step}: ${step.state === 'done' ? 'ok' : 'FAILED'} - ${step.message}`);
    }
    for (const warning of status.warnings) {
      if (printed.has(`warning|${warning}`)) continue;
      printed.add(`warning|${warning}`);
      out(`Warning: ${warning}`);
    }
    if (status.state === 'connected' && status.destinationUrl !== null && status.destinationUrl !== lastUrl) {
      lastUrl = status.destinationUrl;
      out(`Public URL: ${status.destinationUrl}`);
      out(`Connected: sink ${status.sinkSid}, subscription ${status.subscriptionSid}`);
    }
    if (status.state === 'connected') wasConnected = true;
    if (wasConnected && status.state === 'idle') {
      wasConnected = false;
      lastUrl = null;
      out(status.warnings.length === 0 ? 'Disconnected: the sink and subscription were deleted.' : 'Disconnected (see the warnings above).');
    }
  };
}

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
        connect: { type: 'boolean' },
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
  const saved = values.port === undefined || values.path === undefined ? await new ConnectionSettingsStore(dataDir).settings() : null;
  const publicUrl = values['public-url'] ?? null;
  const env = process.env;
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const credentials = values.connect === true ? await loadConnectCredentials(env, dataDir) : null;
  const running = await startServe({
    dataDir,
    receiver: {
      port: parsePort(values.port, saved?.receiverPort ?? 3977, '--port'),
      host: values.host,
      path: values.path ?? saved?.receiverPath,
    },
    publicUrl,
    uiPort,
    env,
    out,
    err: (line) => process.stderr.write(`${line}\n`),
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    out(`${signal}: stopping (disconnecting, finishing in-flight deliveries)...`);
    running
      .stop()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        process.stderr.write(`error while stopping: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  if (credentials === null) {
    printVerification(running, out);
    return;
  }
  const status = await connectAtStart(running, credentials, publicUrl ?? publicUrlFromEnv(env), out);
  if (status.state !== 'connected' && !stopping) {
    stopping = true;
    await running.stop();
    throw new Error(status.error === null ? 'Connect was cancelled.' : `Connect failed at the ${status.error.step} step: ${status.error.message}`);
  }
}

// Run as a program; importing the module (in-process hosts, tests) only gets startServe.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) runCli(USAGE, main);

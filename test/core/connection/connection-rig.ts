// Shared by the connection tests: a real Monitor (real receiver on port 0, real SQLite store) whose
// connection uses the real twilio client against a fake Twilio, and a fake tunnel provider in proxy
// mode, so the fake Twilio really delivers through the "tunnel" to the receiver.
import { afterEach, expect } from 'vitest';
import { Monitor, type MonitorConnectionOptions } from '../../../src/core/monitor.js';
import { StaticUrlProvider } from '../../../src/core/tunnel/tunnel-provider.js';
import type { CommandName, CommandParams, CommandResults, ConnectionStatus, InvokeOutcome } from '../../../src/shared/contract.js';
import { createFakeTwilio, type FakeTwilio } from '../../fakes/fake-twilio/fake-twilio.js';
import { useTempDir } from '../../support/temp-dir.js';
import { FakeTunnelProvider } from '../tunnel/fake-tunnel-provider.js';

export const NGROK_TOKEN = '2fakeNgrokAuthtoken0123456789_abcdefABCDEF';

export interface Rig {
  fake: FakeTwilio;
  tunnel: FakeTunnelProvider;
  monitor: Monitor;
  dataDir: string;
  /** Every `connection.changed` payload, in order. */
  pushes: ConnectionStatus[];
  /** Every outcome of `call`, for the no-secret checks. */
  outcomes: InvokeOutcome[];
  call<C extends CommandName>(command: C, params?: CommandParams<C>): Promise<CommandResults[C]>;
  /** Like `call`, but returns the raw outcome (for expected contract errors). */
  invoke(command: string, params?: unknown): Promise<InvokeOutcome>;
  /** The receiver's delivery URL (local). */
  deliveryUrl(): string;
  restart(options?: Partial<RigOptions>): Promise<Monitor>;
}

export interface RigOptions {
  connection: MonitorConnectionOptions;
  /** Reuse a fake Twilio (a restart keeps the "account"). */
  fake: FakeTwilio;
  dataDir: string;
  /** Options added to the default connection options (ignored when `connection` is given). */
  extra: MonitorConnectionOptions;
}

const tempDir = useTempDir('flowscope-connection-');
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export function connectionOptions(fake: FakeTwilio, tunnel: FakeTunnelProvider, extra: MonitorConnectionOptions = {}): MonitorConnectionOptions {
  return {
    twilio: { apiBaseUrl: fake.baseUrl },
    // The user's own URL is served as in production; ngrok is replaced by the fake.
    tunnelProviderFor: (choice) => (choice.kind === 'static' ? new StaticUrlProvider(choice.url) : tunnel),
    env: {},
    hostLabel: 'test-host',
    sinkTestTimeoutMs: 10_000,
    repointRetryMs: 200,
    supervisor: { graceMs: 20, backoff: { initialMs: 10, maxMs: 50, jitter: 0 }, closeTimeoutMs: 1_000 },
    ...extra,
  };
}

export async function startRig(options: Partial<RigOptions> = {}): Promise<Rig> {
  const fake = options.fake ?? (await createFakeTwilio());
  if (options.fake === undefined) cleanups.push(() => fake.close());
  const tunnel = new FakeTunnelProvider({ mode: 'proxy' });
  cleanups.push(() => tunnel.closeAll());
  const dataDir = options.dataDir ?? tempDir();
  const pushes: ConnectionStatus[] = [];
  const outcomes: InvokeOutcome[] = [];
  let monitor: Monitor;

  const start = async (connection: MonitorConnectionOptions) => {
    const started = await Monitor.start({ dataDir, receiver: { port: 0 }, pushIntervalMs: 20, connection });
    started.host.subscribe((event, payload) => {
      if (event === 'connection.changed') pushes.push(payload as ConnectionStatus);
    });
    cleanups.push(() => started.stop());
    return started;
  };
  monitor = await start(options.connection ?? connectionOptions(fake, tunnel, options.extra));

  const rig: Rig = {
    fake,
    tunnel,
    get monitor() {
      return monitor;
    },
    dataDir,
    pushes,
    outcomes,
    async call(command, params) {
      const outcome = await monitor.host.invoke(command, params ?? {});
      outcomes.push(outcome);
      if (!outcome.ok) throw new Error(`${command} failed: ${outcome.error.code} ${outcome.error.message}`);
      return outcome.result as CommandResults[typeof command];
    },
    async invoke(command, params) {
      const outcome = await monitor.host.invoke(command, params ?? {});
      outcomes.push(outcome);
      return outcome;
    },
    deliveryUrl() {
      const state = monitor.receiverState();
      return `${state.localUrl}${state.path}`;
    },
    async restart(next = {}) {
      await monitor.stop();
      monitor = await start(next.connection ?? connectionOptions(fake, tunnel, next.extra ?? options.extra));
      return monitor;
    },
  };
  return rig;
}

/** No secret value appears in anything the contract returned or pushed. */
export function expectNoSecrets(rig: Rig, secrets: readonly string[]): void {
  const text = JSON.stringify({ pushes: rig.pushes, outcomes: rig.outcomes });
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(text.includes(secret), 'a secret crossed the contract').toBe(false);
    expect(text.includes(encodeURIComponent(secret)), 'a secret crossed the contract (URL-encoded)').toBe(false);
  }
}

export async function waitFor<T>(probe: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, tries = 500): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The steps of a status as `step:state` strings. */
export const stepTrail = (status: ConnectionStatus) => status.steps.map((s) => `${s.step}:${s.state}`);

/**
 * The Twilio connection's state machine: idle -> connecting -> connected -> disconnecting -> idle
 * (or connecting -> failed). One Connect at a time; Disconnect cancels a Connect in progress and
 * is idempotent; closing (app quit, SIGTERM) disconnects within a time limit and refuses any
 * further Connect.
 *
 * Security invariants:
 * - Secrets enter through `connect` and `setSecret` and leave only towards Twilio, ngrok and the
 *   SecretStore. Status, pushes, errors and log lines pass through the status board's redaction
 *   with every secret value seen so far; the UI learns only booleans about stored secrets.
 * - A clean-up of leftovers found at start (`recoverLeftovers`) and Connect never run at the same
 *   time: a Connect waits for it, so a clean-up can never delete the sink a Connect just made.
 */
import os from 'node:os';
import {
  CONNECTION_SECRET_NAMES,
  type ConnectionSecretName,
  type ConnectionSettings,
  type ConnectionStatus,
  type SecretsStatus,
} from '../../shared/contract.js';
import type { VerificationSettings } from '../receiver/verification.js';
import { NgrokTunnelProvider } from '../tunnel/ngrok-tunnel.js';
import { StaticUrlProvider } from '../tunnel/tunnel-provider.js';
import type { TwilioCredentials } from '../twilio/credentials.js';
import { createTwilioClient, type TwilioClient } from '../twilio/twilio-client.js';
import type { ConnectInput, CredentialDefaults } from './connect-credentials.js';
import { runConnect } from './connect-flow.js';
import { verificationOf } from './connect-undo.js';
import type { ConnectionDeps, ConnectionHostPort, ConnectionSecretStore, SupervisorTuning, TunnelProviderFactory } from './connection-deps.js';
import { ConnectionSettingsStore } from './connection-settings.js';
import { idleStatus, StatusBoard } from './connection-status.js';
import { withinBudget, type LiveConnection } from './live-connection.js';
import { removeLeftovers } from './leftover-recovery.js';
import { readSecretsStatus } from './secrets-status.js';
import { REFUSAL_GRACE_MS } from './sink-test.js';
import { ConnectFailure } from './step-errors.js';

export interface ConnectionManagerOptions {
  host: ConnectionHostPort;
  /** Where connection.json (settings, install id) lives. */
  dataDir: string;
  /** Shares one settings cache with whoever else reads them (the monitor, for the receiver's port). */
  settingsStore?: ConnectionSettingsStore;
  secretStore: ConnectionSecretStore;
  /** The receiver's verification outside a connection (restored on disconnect). */
  baselineVerification?: VerificationSettings;
  twilio?: {
    /** Replaces every Twilio API origin; undefined reads FLOWSCOPE_TWILIO_API_URL from `env`. */
    apiBaseUrl?: string | null;
    timeoutMs?: number;
    createClient?: (credentials: TwilioCredentials) => TwilioClient;
  };
  /** Default: ngrok, or StaticUrlProvider for the user's own URL / FLOWSCOPE_PUBLIC_URL. Tests inject a fake. */
  tunnelProviderFor?: TunnelProviderFactory;
  env?: Readonly<Record<string, string | undefined>>;
  /** Headless: credentials from environment variables, used when the form leaves them empty. */
  credentialDefaults?: CredentialDefaults;
  hostLabel?: string;
  /** How long Connect waits for the sink test event. Default 30 s. */
  sinkTestTimeoutMs?: number;
  /** How much longer it waits once a delivery that looks like Twilio's was refused. Default 1 s. */
  sinkTestRefusalGraceMs?: number;
  /** Upper bound of a Disconnect's Twilio calls. Default 10 s. */
  disconnectTimeoutMs?: number;
  repointRetryMs?: number;
  /** First delay before retrying to delete a sink left by a re-point (doubles each time). Default 5 s. */
  sinkDeleteRetryMs?: number;
  supervisor?: SupervisorTuning;
  log?: (line: string) => void;
  now?: () => Date;
}

/** Connect / Disconnect cannot run now; the message says why. */
export class ConnectionBusyError extends Error {
  override name = 'ConnectionBusyError';
}

/** A secret could not be stored or forgotten; the message is safe to show. */
export class SecretStoreFailure extends Error {
  override name = 'SecretStoreFailure';
  constructor(
    message: string,
    readonly kind: 'invalid' | 'unavailable',
  ) {
    super(message);
  }
}

const DISCONNECTED: Partial<ConnectionStatus> = {
  sinkSid: null,
  subscriptionSid: null,
  publicUrl: null,
  destinationUrl: null,
  tunnel: null,
  connectedAt: null,
};

export class ConnectionManager {
  private readonly deps: ConnectionDeps;
  private readonly board: StatusBoard;
  private readonly settingsStore: ConnectionSettingsStore;
  private readonly defaults: CredentialDefaults;
  private readonly disconnectTimeoutMs: number;
  private attempt: { done: Promise<void>; abort: AbortController } | null = null;
  private live: LiveConnection | null = null;
  private disconnecting: Promise<ConnectionStatus> | null = null;
  private recovery: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly options: ConnectionManagerOptions) {
    const env = options.env ?? process.env;
    const now = options.now ?? (() => new Date());
    this.defaults = options.credentialDefaults ?? {};
    this.disconnectTimeoutMs = options.disconnectTimeoutMs ?? 10_000;
    this.settingsStore = options.settingsStore ?? new ConnectionSettingsStore(options.dataDir);
    this.board = new StatusBoard(idleStatus([]), now);
    this.board.addSecrets([this.defaults.authToken, this.defaults.apiKeySecret, this.defaults.ngrokAuthtoken, options.baselineVerification?.authToken]);
    const twilio = options.twilio ?? {};
    this.deps = {
      host: options.host,
      settings: this.settingsStore,
      secrets: options.secretStore,
      createClient:
        twilio.createClient ??
        ((credentials) =>
          createTwilioClient(credentials, { env, ...(twilio.apiBaseUrl === undefined ? {} : { apiBaseUrl: twilio.apiBaseUrl }), ...(twilio.timeoutMs ? { timeoutMs: twilio.timeoutMs } : {}) })),
      tunnelProviderFor: options.tunnelProviderFor ?? ((choice) => (choice.kind === 'static' ? new StaticUrlProvider(choice.url) : new NgrokTunnelProvider())),
      env,
      credentialDefaults: async () => this.defaults,
      hostLabel: options.hostLabel ?? os.hostname(),
      baselineVerification: options.baselineVerification ?? { authToken: null, publicUrl: null },
      sinkTestTimeoutMs: options.sinkTestTimeoutMs ?? 30_000,
      sinkTestRefusalGraceMs: options.sinkTestRefusalGraceMs ?? REFUSAL_GRACE_MS,
      repointRetryMs: options.repointRetryMs ?? 15_000,
      sinkDeleteRetryMs: options.sinkDeleteRetryMs ?? 5_000,
      supervisor: options.supervisor ?? {},
      log: (line) => this.log(line),
      now,
    };
  }

  /** Every change of the status (redacted); returns an unsubscribe function. */
  onChange(listener: (status: ConnectionStatus) => void): () => void {
    return this.board.onChange(listener);
  }

  async status(): Promise<ConnectionStatus> {
    const resting = () => this.board.current.state === 'idle' || this.board.current.state === 'failed';
    if (resting()) {
      const settings = await this.settingsStore.settings().catch(() => null);
      const change = settings === null ? null : { eventTypes: settings.eventTypes, verification: verificationOf(this.deps) };
      const current = this.board.current;
      if (change !== null && resting() && (JSON.stringify(change.eventTypes) !== JSON.stringify(current.eventTypes) || change.verification !== current.verification)) {
        this.board.update(change);
      }
    }
    await this.refreshSecrets();
    return this.board.snapshot();
  }

  /** Runs a Connect; resolves with the final status (`connected`, `failed`, or `idle` when cancelled). */
  async connect(input: ConnectInput): Promise<ConnectionStatus> {
    if (this.closed) throw new ConnectionBusyError('Flowscope is shutting down.');
    if (this.attempt !== null) throw new ConnectionBusyError('A Connect is already in progress.');
    if (this.disconnecting !== null) throw new ConnectionBusyError('Disconnecting; try again in a moment.');
    if (this.live !== null) throw new ConnectionBusyError('Already connected: disconnect first.');
    const abort = new AbortController();
    let finish = () => {};
    this.attempt = { done: new Promise<void>((resolve) => (finish = resolve)), abort };
    try {
      this.board.update({ ...DISCONNECTED, state: 'connecting', steps: [], error: null, warnings: [], orphans: null, lastSinkTest: null });
      await this.recovery;
      const live = await runConnect(input, this.deps, this.board, abort.signal);
      if (abort.signal.aborted || this.closed) {
        await live.teardown(this.disconnectTimeoutMs);
        this.board.update({ ...DISCONNECTED, state: 'idle', verification: verificationOf(this.deps) });
      } else {
        this.live = live;
        this.board.update({ state: 'connected', connectedAt: this.deps.now().toISOString() });
        this.log(`connected: sink ${live.current.sinkSid}, subscription ${live.current.subscriptionSid}`);
      }
    } catch (error) {
      const failure = error instanceof ConnectFailure ? error : new ConnectFailure('credentials', 'internal', 'Connect failed unexpectedly; see the Flowscope log.');
      if (!(error instanceof ConnectFailure)) this.log(`connect failed: ${error instanceof Error ? error.message : String(error)}`);
      if (failure.cancelled) this.board.update({ state: 'idle', error: null });
      else this.board.update({ state: 'failed', error: { step: failure.step, code: failure.code, message: this.board.clean(failure.message) } });
    } finally {
      this.attempt = null;
      finish();
    }
    return this.status();
  }

  /** Deletes the subscription and sink, closes the tunnel; cancels a Connect in progress. Idempotent. */
  disconnect(options: { timeoutMs?: number } = {}): Promise<ConnectionStatus> {
    this.disconnecting ??= this.runDisconnect(options.timeoutMs ?? this.disconnectTimeoutMs).finally(() => {
      this.disconnecting = null;
    });
    return this.disconnecting;
  }

  /** For shutdown: disconnect within `timeoutMs`, then refuse any further Connect. */
  async close(timeoutMs = this.disconnectTimeoutMs): Promise<void> {
    this.closed = true;
    await this.disconnect({ timeoutMs });
    if (this.recovery !== null) await withinBudget(this.recovery, timeoutMs);
  }

  settings(): Promise<ConnectionSettings> {
    return this.settingsStore.settings();
  }

  /** Throws a ZodError naming the invalid field. */
  updateSettings(change: Partial<ConnectionSettings>): Promise<ConnectionSettings> {
    return this.settingsStore.update(change);
  }

  async setSecret(name: ConnectionSecretName, value: string): Promise<SecretsStatus> {
    const trimmed = value.trim();
    this.board.addSecrets([value, trimmed]);
    await this.storeOperation(() => this.deps.secrets.set(name, trimmed));
    return this.refreshSecrets();
  }

  async deleteSecret(name: ConnectionSecretName): Promise<SecretsStatus> {
    await this.storeOperation(() => this.deps.secrets.delete(name));
    return this.refreshSecrets();
  }

  async forgetSecrets(): Promise<SecretsStatus> {
    for (const name of CONNECTION_SECRET_NAMES) await this.storeOperation(() => this.deps.secrets.delete(name));
    return this.refreshSecrets();
  }

  /**
   * If the last run ended while connected (crash, kill), removes this install's leftovers with
   * the remembered credentials, in the background. Without them, the next Connect cleans up.
   */
  recoverLeftovers(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.recovery ??= this.runRecovery()
      .catch((error: unknown) => this.log(`clean-up of leftovers failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.recovery = null;
      });
    return this.recovery;
  }

  private async runDisconnect(budgetMs: number): Promise<ConnectionStatus> {
    if (this.attempt !== null) {
      this.attempt.abort.abort();
      await withinBudget(this.attempt.done, budgetMs);
    }
    const live = this.live;
    if (live !== null) {
      this.live = null;
      this.board.update({ state: 'disconnecting' });
      const removal = await live.teardown(budgetMs);
      const warnings = removal.problems.map((problem) => this.board.clean(`${problem} Flowscope removes it at the next Connect.`));
      if (removal.problems.length === 0) await this.settingsStore.setLeftoverAccount(null).catch(() => undefined);
      this.board.update({ ...DISCONNECTED, state: 'idle', steps: [], error: null, warnings, verification: verificationOf(this.deps) });
      this.log(removal.problems.length === 0 ? `disconnected: deleted ${removal.removedSinks.map((sid) => `sink ${sid}`).join(', ')}` : `disconnected with problems: ${warnings.join(' ')}`);
    }
    return this.status();
  }

  private async runRecovery(): Promise<void> {
    if (this.attempt !== null || this.live !== null) return;
    const found = await removeLeftovers(this.settingsStore, this.deps, this.defaults, this.board);
    if (found !== null && this.board.current.state === 'idle') this.board.update({ orphans: found });
  }

  private async storeOperation(operation: () => Promise<void>): Promise<void> {
    try {
      await operation();
    } catch (error) {
      // SecretStore implementations never put a value in their errors; redact once more anyway.
      const message = this.board.clean(error instanceof Error ? error.message : 'the secret store failed');
      throw new SecretStoreFailure(message, error instanceof TypeError ? 'invalid' : 'unavailable');
    }
  }

  private async refreshSecrets(): Promise<SecretsStatus> {
    const status = await readSecretsStatus(this.deps.secrets, this.defaults);
    if (JSON.stringify(status) !== JSON.stringify(this.board.current.secrets)) this.board.update({ secrets: status });
    return status;
  }

  private log(line: string): void {
    this.options.log?.(this.board.clean(line));
  }
}

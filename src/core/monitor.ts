/**
 * The composition root of the core: receiver -> store -> projection -> coalesced pushes, and the
 * contract's command handlers over them. Hosted by the Electron main process and by the headless
 * server alike; it never imports electron.
 *
 * Invariants:
 * - a delivery is acknowledged only after the store committed it (the store's `append` resolves
 *   after commit); the monitor only observes the outcome for counters and pushes;
 * - the auth token is handed to the receiver and kept nowhere else; it is never pushed, returned
 *   or logged;
 * - the Twilio connection (connection/connection-manager.ts) is disconnected before the receiver
 *   stops, so the sink and subscription it created are deleted on every orderly stop.
 */
import type { ExecutionFilter, UnverifiedRecord } from '../shared/contract.js';
import type { IngestBatch, IngestPort, ReceiverObserver } from './receiver/ingest-port.js';
import { createReceiver, type Receiver, type ReceiverInfo as ReceiverState } from './receiver/receiver.js';
import type { VerificationSettings } from './receiver/verification.js';
import { EventStore, type AppendOutcome } from './store/event-store.js';
import { writeExport, type ExportCounts } from './store/export-writer.js';
import { importFromFile } from './store/import-reader.js';
import { buildCommandHandlers } from './command-handlers.js';
import { createContractHost, type ContractHostWithPush } from './rpc.js';
import { DeltaCoalescer, type CoalescedDelta } from './delta-coalescer.js';
import { LiveStats } from './live-stats.js';
import fs from 'node:fs';
import { ConnectionManager, type ConnectionManagerOptions } from './connection/connection-manager.js';
import { ConnectionSettingsStore } from './connection/connection-settings.js';
import type { ConnectionHostPort } from './connection/connection-deps.js';
import type { SinkTestArrival } from './connection/sink-test.js';
import { defaultCredentialsFile } from './secrets/credentials-file.js';
import { FileSecretStore } from './secrets/file-secret-store.js';

export interface MonitorOptions {
  dataDir: string;
  receiver?: {
    port?: number;
    host?: string;
    path?: string;
    maxBodyBytes?: number;
  };
  /** Checked on every delivery when set (DESIGN.md section 5). */
  verification?: VerificationSettings;
  /** How often coalesced changes are pushed to UIs. */
  pushIntervalMs?: number;
  /** How often retention runs (default hourly; also once at start). */
  retentionIntervalMs?: number;
  log?: (line: string) => void;
  /**
   * The Twilio connection. The secret store defaults to the headless credentials file
   * (`<dataDir>/credentials.json`, 0600); the desktop app passes its safeStorage store.
   */
  connection?: MonitorConnectionOptions;
}

export type MonitorConnectionOptions = Partial<Omit<ConnectionManagerOptions, 'host' | 'dataDir' | 'settingsStore' | 'baselineVerification' | 'log'>> & {
  /** Clean up sinks a crashed earlier run left behind, in the background, at start (default true). */
  recoverLeftoversAtStart?: boolean;
  /** Time limit of the disconnect when the monitor stops. Default 8 s. */
  shutdownTimeoutMs?: number;
};

const DEFAULT_PUSH_INTERVAL_MS = 75;
/** Longer than LiveStats' rate window (5 s), so the rate has fallen to 0 by then. */
const RATE_DECAY_PUSH_MS = 6_500;
const DEFAULT_RETENTION_INTERVAL_MS = 60 * 60 * 1000;

export class Monitor {
  readonly host: ContractHostWithPush;
  readonly stats = new LiveStats();
  readonly connection: ConnectionManager;
  private readonly sinkTestListeners = new Set<(arrival: SinkTestArrival) => void>();
  private readonly unverifiedListeners = new Set<(record: UnverifiedRecord) => void>();
  private readonly coalescer: DeltaCoalescer;
  private readonly receiver: Receiver;
  private retentionTimer: NodeJS.Timeout | null = null;
  private rateDecayTimer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;

  private constructor(
    readonly store: EventStore,
    private readonly options: MonitorOptions,
    settings: ConnectionSettingsStore,
  ) {
    const log = options.log ?? (() => {});
    this.coalescer = new DeltaCoalescer(options.pushIntervalMs ?? DEFAULT_PUSH_INTERVAL_MS, (delta) => this.pushDelta(delta));
    const ingest: IngestPort = { ingest: (batch) => this.ingest(batch) };
    const observer: ReceiverObserver = {
      onUnverified: (record: UnverifiedRecord) => {
        this.stats.recordUnverified(record);
        this.coalescer.touch();
        for (const listener of [...this.unverifiedListeners]) listener(record);
      },
      onBadRequest: () => {
        this.stats.badRequests++;
        this.coalescer.touch();
      },
    };
    this.receiver = createReceiver({
      ...options.receiver,
      ingest,
      observer,
      authToken: options.verification?.authToken ?? null,
      publicUrl: options.verification?.publicUrl ?? null,
    });
    this.host = createContractHost({
      handlers: buildCommandHandlers(this),
      onInternalError: (command, error) => log(`error in ${command}: ${error instanceof Error ? error.message : String(error)}`),
    });
    const connectionHost: ConnectionHostPort = {
      receiverState: () => this.receiver.info(),
      setVerification: (settings) => this.receiver.setVerification(settings),
      onSinkTest: (listener) => this.onSinkTest(listener),
      onUnverified: (listener) => {
        this.unverifiedListeners.add(listener);
        return () => this.unverifiedListeners.delete(listener);
      },
      unverifiedCount: () => this.stats.unverifiedRequests,
    };
    const { recoverLeftoversAtStart: _recover, shutdownTimeoutMs: _shutdown, ...connection } = options.connection ?? {};
    this.connection = new ConnectionManager({
      ...connection,
      host: connectionHost,
      dataDir: options.dataDir,
      settingsStore: settings,
      secretStore: connection.secretStore ?? new FileSecretStore(defaultCredentialsFile(options.dataDir)),
      baselineVerification: options.verification ?? { authToken: null, publicUrl: null },
      log,
    });
    this.connection.onChange((status) => this.host.push('connection.changed', status));
  }

  /** Opens the store and starts the receiver. */
  static async start(options: MonitorOptions): Promise<Monitor> {
    // The receiver's port and path come from the options, else from the saved settings.
    const settings = new ConnectionSettingsStore(options.dataDir);
    const saved = await settings.settings();
    const receiver = { ...options.receiver, port: options.receiver?.port ?? saved.receiverPort ?? 0, path: options.receiver?.path ?? saved.receiverPath };
    // commits run in the store's writer thread: SQLite's synchronous inserts and fsyncs never
    // hold the thread that answers Twilio and the UI (store-writer.ts)
    const store = EventStore.open(options.dataDir, {
      writerThread: true,
      onWriterFailure: (message) => options.log?.(`${message}; deliveries get 503 until it restarts`),
    });
    const monitor = new Monitor(store, { ...options, receiver }, settings);
    try {
      await monitor.receiver.start();
    } catch (error) {
      store.close();
      throw error;
    }
    monitor.scheduleRetention();
    if (options.connection?.recoverLeftoversAtStart !== false) void monitor.connection.recoverLeftovers();
    return monitor;
  }

  /** Calls `listener` for every sink test event, once it is committed. Returns an unsubscribe function. */
  onSinkTest(listener: (arrival: SinkTestArrival) => void): () => void {
    this.sinkTestListeners.add(listener);
    return () => this.sinkTestListeners.delete(listener);
  }

  receiverState(): ReceiverState {
    return this.receiver.info();
  }

  /** The Connect flow sets the token and public URL once the sink exists. */
  setVerification(settings: VerificationSettings): void {
    this.receiver.setVerification(settings);
  }

  /**
   * Streams an export document to a file (CLI, desktop save dialog), 0600. It is written to a
   * temporary file next to `filePath` and renamed onto it once complete, so a failed export (bad
   * path, full disk, store closed) leaves no partial file behind and an existing file untouched.
   * Rejects with an Error naming the path (cause: the original error); never leaves a stream open
   * or a rejection unhandled.
   */
  async exportToFile(filter: ExecutionFilter, filePath: string): Promise<ExportCounts> {
    const partial = `${filePath}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.partial`;
    // 'wx': never truncate a file that is not ours
    const out = fs.createWriteStream(partial, { mode: 0o600, flags: 'wx' });
    let streamError: unknown = null;
    out.on('error', (error) => {
      streamError ??= error;
    });
    // fs streams close their descriptor after finishing, failing or being destroyed alike
    const closed = new Promise<void>((resolve) => out.once('close', () => resolve()));
    try {
      const counts = await writeExport(this.store, filter, out);
      out.end();
      await closed;
      if (streamError !== null) throw streamError;
      await fs.promises.rename(partial, filePath);
      return counts;
    } catch (error) {
      out.destroy();
      await closed;
      await fs.promises.rm(partial, { force: true }).catch(() => undefined);
      const detail = error instanceof Error ? error.message : String(error);
      throw new Error(`could not export to ${filePath}: ${detail}`, { cause: error });
    }
  }

  async importFromFile(filePath: string) {
    const result = await importFromFile(this.store, filePath);
    this.afterBulkChange();
    return result;
  }

  /** After an import or a clear: UIs refetch their lists. */
  afterBulkChange(): void {
    this.coalescer.flushNow();
    this.host.push('store.reset', {});
    this.pushStats();
  }

  async stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.retentionTimer !== null) clearInterval(this.retentionTimer);
      // Delete what Connect created while the receiver still answers (in-flight deliveries).
      await this.connection.close(this.options.connection?.shutdownTimeoutMs ?? 8_000).catch((error: unknown) => {
        this.options.log?.(`disconnect on stop failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      // Stop taking deliveries first (new ones get 503 and Twilio retries), then let the
      // in-flight ones commit, then close the store.
      await this.receiver.stop();
      this.coalescer.flushNow();
      this.coalescer.dispose();
      if (this.rateDecayTimer !== null) clearTimeout(this.rateDecayTimer);
      await this.store.closeAsync();
    })();
    return this.stopping;
  }

  private async ingest(batch: IngestBatch): Promise<AppendOutcome> {
    const outcome = await this.store.append(batch);
    this.stats.recordEvents(outcome.inserted);
    this.stats.duplicatesIgnored += outcome.duplicates;
    this.stats.rejectedEvents += outcome.rejected + (batch.rejectedNotKept ?? 0);
    this.stats.otherEvents += batch.accepted.filter((event) => event.kind === 'other').length;
    for (const event of batch.accepted) {
      if (event.kind !== 'sink.test') continue;
      const arrival = { testId: event.testId, receivedAt: batch.receivedAt.toISOString() };
      this.stats.lastSinkTest = arrival;
      for (const listener of [...this.sinkTestListeners]) {
        try {
          listener(arrival);
        } catch {
          // A listener's bug must not turn a committed delivery into a 503.
        }
      }
    }
    this.coalescer.add(outcome.changed);
    return outcome;
  }

  private pushDelta(delta: CoalescedDelta): void {
    if (!this.store.isOpen) return;
    if (delta.executions.length > 0) this.host.push('executions.changed', { executions: delta.executions });
    if (delta.flowSids.length > 0) this.host.push('flows.changed', { flows: this.store.listFlows(delta.flowSids) });
    this.pushStats();
  }

  private pushStats(): void {
    if (!this.store.isOpen) return;
    const snapshot = this.stats.snapshot(this.store.counts());
    this.host.push('stats.changed', snapshot);
    // The rate decays with no event to push it: push once more when the window has emptied, so
    // a UI's events/s falls back to 0 when traffic stops.
    if (this.rateDecayTimer !== null) clearTimeout(this.rateDecayTimer);
    this.rateDecayTimer = null;
    if (snapshot.eventsPerSecond > 0) {
      this.rateDecayTimer = setTimeout(() => {
        this.rateDecayTimer = null;
        this.pushStats();
      }, RATE_DECAY_PUSH_MS);
      this.rateDecayTimer.unref();
    }
  }

  private scheduleRetention(): void {
    const run = () => {
      this.store
        .applyRetention()
        .then((counts) => {
          if (counts.deletedEvents > 0) this.afterBulkChange();
        })
        .catch((error: unknown) => this.options.log?.(`retention failed: ${error instanceof Error ? error.message : String(error)}`));
    };
    run();
    this.retentionTimer = setInterval(run, this.options.retentionIntervalMs ?? DEFAULT_RETENTION_INTERVAL_MS);
    this.retentionTimer.unref();
  }
}

/**
 * The connection's status as the UI sees it (ConnectionStatus of src/shared/contract.ts): one
 * mutable record, step reports, and snapshots for results and pushes.
 *
 * Security invariant: every snapshot passes through redact() with every secret value the
 * connection knows of (tokens, API key secret, ngrok authtoken, the sink URL's Basic password),
 * as a last line of defence behind messages that are already built without secrets.
 */
import type {
  ConnectionStatus,
  ConnectionStepName,
  ConnectionStepProgress,
  TunnelStatusInfo,
} from '../../shared/contract.js';
import { redact } from '../secrets/redact.js';
export { idleStatus, NO_SECRETS_STATUS } from '../../shared/connection-defaults.js';
import type { TunnelSupervisorStatus } from '../tunnel/tunnel-supervisor.js';

/** Keeps the step list bounded over many re-points. */
const MAX_STEPS = 60;

export function tunnelInfo(provider: string, status: TunnelSupervisorStatus): TunnelStatusInfo {
  switch (status.state) {
    case 'online':
      return { provider, state: 'online', url: status.url, message: null, nextRetryAt: null };
    case 'reconnecting':
      return { provider, state: 'reconnecting', url: null, message: status.reason, nextRetryAt: new Date(status.nextRetryAt).toISOString() };
    case 'failed':
      return { provider, state: 'failed', url: null, message: status.message, nextRetryAt: null };
    default:
      return { provider, state: status.state, url: null, message: null, nextRetryAt: null };
  }
}

export class StatusBoard {
  private status: ConnectionStatus;
  private readonly secrets = new Set<string>();
  private readonly listeners = new Set<(status: ConnectionStatus) => void>();

  constructor(
    initial: ConnectionStatus,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.status = initial;
  }

  /** Secret values to mask in every snapshot from now on (kept for the process's lifetime). */
  addSecrets(values: Iterable<string | null | undefined>): void {
    for (const value of values) if (typeof value === 'string' && value !== '') this.secrets.add(value);
  }

  knownSecrets(): string[] {
    return [...this.secrets];
  }

  /** Masks known secrets in a message before it is stored or logged. */
  clean(text: string): string {
    return redact(text, [...this.secrets]);
  }

  get current(): Readonly<ConnectionStatus> {
    return this.status;
  }

  /** A deep copy with every known secret masked: the only form that leaves the manager. */
  snapshot(): ConnectionStatus {
    return redactDeep(this.status, [...this.secrets]) as ConnectionStatus;
  }

  onChange(listener: (status: ConnectionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies a change and tells the listeners. */
  update(change: Partial<ConnectionStatus>): void {
    this.status = { ...this.status, ...change };
    this.emit();
  }

  step(step: ConnectionStepName, state: ConnectionStepProgress['state'], message: string): void {
    const entry: ConnectionStepProgress = { step, state, message: this.clean(message), at: this.now().toISOString() };
    const steps = [...this.status.steps];
    const last = steps.length - 1;
    // A step's running report is replaced by its outcome: the list reads as one line per step.
    if (last >= 0 && steps[last]?.step === step && steps[last]?.state === 'running') steps[last] = entry;
    else steps.push(entry);
    this.update({ steps: steps.slice(-MAX_STEPS) });
  }

  warn(message: string): void {
    const text = this.clean(message);
    if (!this.status.warnings.includes(text)) this.update({ warnings: [...this.status.warnings, text] });
  }

  /** Withdraws a warning that no longer holds (a sink that was deleted after all). */
  unwarn(message: string): void {
    const text = this.clean(message);
    if (this.status.warnings.includes(text)) this.update({ warnings: this.status.warnings.filter((warning) => warning !== text) });
  }

  private emit(): void {
    if (this.listeners.size === 0) return;
    const snapshot = this.snapshot();
    for (const listener of [...this.listeners]) {
      try {
        listener(snapshot);
      } catch {
        // A subscriber's failure must not interrupt a Connect half-way.
      }
    }
  }
}

/** A copy of a JSON-like value with every string passed through redact(). */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, secrets));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, secrets)]));
  }
  return value;
}

/**
 * What the desktop shell needs from the core's composition root (src/core/monitor.ts). Kept as
 * a local interface so the Electron glue depends on a shape, not on the monitor's internals;
 * the core's Monitor satisfies it structurally (src/main/index.ts wires Monitor.start in).
 */
import type { ContractHost } from '../core/contract-host.js';
import type { CoreFileOperations } from './desktop-commands.js';

export interface DesktopMonitor extends CoreFileOperations {
  /** The contract entry point the IPC bridge forwards to. */
  readonly host: ContractHost;
  /** Closes the receiver, tunnel and store; idempotent. */
  stop(): Promise<void>;
}

export interface DesktopMonitorOptions {
  /** app.getPath('userData'): the store and settings live here. */
  dataDir: string;
}

/** Opens the store and starts the receiver; resolves with a running monitor. */
export type StartDesktopMonitor = (options: DesktopMonitorOptions) => Promise<DesktopMonitor>;

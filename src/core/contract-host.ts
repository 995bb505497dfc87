/**
 * What a bridge (Electron IPC, WebSocket) needs from the core: one generic entry point for every
 * command of src/shared/contract.ts and one subscription for every pushed event. Bridges know no
 * command by name; they forward `{ command, params }` and relay pushes.
 *
 * Invariant: `invoke` never throws or rejects; validation failures and internal errors come back
 * as `{ ok: false, error: { code, message } }`, with messages that carry no secrets.
 */
import type { InvokeOutcome, PushEventName, PushEvents } from '../shared/contract.js';

export type { InvokeOutcome };

export type PushListener = <E extends PushEventName>(event: E, payload: PushEvents[E]) => void;

export interface ContractHost {
  invoke(command: string, params: unknown): Promise<InvokeOutcome>;
  /** Returns an unsubscribe function. */
  subscribe(listener: PushListener): () => void;
}

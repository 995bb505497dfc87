/**
 * A small fake ContractHost for the bridge tests (the real one is the core's; bridges only see
 * this interface). `echo` answers with what it got, `slow` waits until released, anything else
 * is refused like the real host refuses an unknown command.
 */
import type { ContractHost, InvokeOutcome, PushListener } from '../../src/core/contract-host.js';
import type { PushEventName, PushEvents } from '../../src/shared/contract.js';

export interface FakeContractHost extends ContractHost {
  readonly calls: { command: string; params: unknown }[];
  push<E extends PushEventName>(event: E, payload: PushEvents[E]): void;
  listenerCount(): number;
  /** Resolves every pending `slow` call. */
  releaseSlowCalls(): void;
}

export function createFakeContractHost(): FakeContractHost {
  const listeners = new Set<PushListener>();
  const calls: { command: string; params: unknown }[] = [];
  let pendingSlow: (() => void)[] = [];
  return {
    calls,
    async invoke(command: string, params: unknown): Promise<InvokeOutcome> {
      calls.push({ command, params });
      if (command === 'echo') return { ok: true, result: { command, params } };
      if (command === 'slow') {
        await new Promise<void>((resolve) => pendingSlow.push(resolve));
        return { ok: true, result: 'slow done' };
      }
      return { ok: false, error: { code: 'bad_request', message: `unknown command: ${command}` } };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    push(event, payload) {
      for (const listener of listeners) listener(event, payload);
    },
    listenerCount: () => listeners.size,
    releaseSlowCalls() {
      const pending = pendingSlow;
      pendingSlow = [];
      for (const resolve of pending) resolve();
    },
  };
}

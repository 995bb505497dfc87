/**
 * Clean shutdown around Electron's `before-quit` (DESIGN.md section 9). Electron does not await
 * async handlers, so the first quit is cancelled, the cleanup (close receiver, tunnel, store) runs
 * exactly once under a time limit, and then the app quits again from a later tick — that second
 * quit passes straight through. Quits requested while cleaning are cancelled (cleanup is already
 * on its way). A hung cleanup cannot keep the app alive past the limit.
 * Pure: no electron import, tested under Node.
 */
export type QuitGuardState = 'running' | 'cleaning' | 'done';

export interface QuitGuardOptions {
  cleanup(): Promise<void>;
  timeoutMs: number;
  /** Quits for real (app.quit). */
  quit(): void;
  /** Cleanup failed or ran out of time. */
  onCleanupProblem?(problem: unknown): void;
  /** Runs `fn` on a later tick; defaults to setImmediate. */
  defer?(fn: () => void): void;
}

export interface QuitGuard {
  readonly state: QuitGuardState;
  onBeforeQuit(event: { preventDefault(): void }): void;
}

export class CleanupTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`cleanup did not finish within ${timeoutMs} ms`);
    this.name = 'CleanupTimeoutError';
  }
}

export function createQuitGuard(options: QuitGuardOptions): QuitGuard {
  let state: QuitGuardState = 'running';
  const defer = options.defer ?? ((fn: () => void) => void setImmediate(fn));

  async function runCleanupOnce(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CleanupTimeoutError(options.timeoutMs)), options.timeoutMs);
    });
    try {
      // new Promise(...) turns a synchronous throw from cleanup into a rejection.
      await Promise.race([new Promise<void>((resolve) => resolve(options.cleanup())), timeout]);
    } catch (problem) {
      options.onCleanupProblem?.(problem);
    } finally {
      clearTimeout(timer);
      state = 'done';
      defer(() => options.quit());
    }
  }

  return {
    get state() {
      return state;
    },
    onBeforeQuit(event) {
      if (state === 'done') return;
      event.preventDefault();
      if (state === 'cleaning') return;
      state = 'cleaning';
      void runCleanupOnce();
    },
  };
}

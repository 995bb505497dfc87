import { describe, expect, it } from 'vitest';
import { CleanupTimeoutError, createQuitGuard } from '../../src/main/quit-guard.js';

function quitEvent() {
  let prevented = false;
  return {
    event: { preventDefault: () => void (prevented = true) },
    prevented: () => prevented,
  };
}

/** A fake app: `quit()` emits before-quit again, as Electron does. */
function setup(cleanup: () => Promise<void>, timeoutMs = 60_000) {
  let quitRequested: () => void = () => undefined;
  const quitCalled = new Promise<void>((resolve) => (quitRequested = resolve));
  const problems: unknown[] = [];
  let cleanups = 0;
  const guard = createQuitGuard({
    timeoutMs,
    cleanup: () => {
      cleanups += 1;
      return cleanup();
    },
    quit: () => quitRequested(),
    onCleanupProblem: (problem) => problems.push(problem),
  });
  return { guard, quitCalled, problems, cleanups: () => cleanups };
}

describe('createQuitGuard', () => {
  it('cancels the first quit, cleans up once, then lets the second quit through', async () => {
    let finishCleanup: () => void = () => undefined;
    const { guard, quitCalled, cleanups, problems } = setup(() => new Promise((resolve) => (finishCleanup = resolve)));

    const first = quitEvent();
    guard.onBeforeQuit(first.event);
    expect(first.prevented()).toBe(true);
    expect(guard.state).toBe('cleaning');

    const whileCleaning = quitEvent();
    guard.onBeforeQuit(whileCleaning.event);
    expect(whileCleaning.prevented()).toBe(true);

    finishCleanup();
    await quitCalled;
    expect(guard.state).toBe('done');
    const second = quitEvent();
    guard.onBeforeQuit(second.event);
    expect(second.prevented()).toBe(false);
    expect(cleanups()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('still quits when the cleanup fails', async () => {
    const { guard, quitCalled, problems } = setup(() => Promise.reject(new Error('store locked')));
    guard.onBeforeQuit(quitEvent().event);
    await quitCalled;
    expect(problems).toHaveLength(1);
    expect(guard.state).toBe('done');
  });

  it('still quits when the cleanup hangs past the time limit', async () => {
    const { guard, quitCalled, problems } = setup(() => new Promise(() => undefined), 5);
    guard.onBeforeQuit(quitEvent().event);
    await quitCalled;
    expect(problems[0]).toBeInstanceOf(CleanupTimeoutError);
  });

  it('survives a cleanup that throws synchronously', async () => {
    const { guard, quitCalled, problems } = setup(() => {
      throw new Error('boom');
    });
    guard.onBeforeQuit(quitEvent().event);
    await quitCalled;
    expect(problems).toHaveLength(1);
  });
});

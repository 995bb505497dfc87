// The core's command handlers (src/core/command-handlers.ts) over a real Monitor: receiver on
// port 0, SQLite in a temp dir, events delivered over HTTP as Twilio would.
import { afterEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/core/monitor.js';
import type { PushEventName } from '../../src/shared/contract.js';
import { ivrScenario, sid } from '../shared/studio-fixtures.js';
import { useTempDir } from '../support/temp-dir.js';

const tempDir = useTempDir();
const monitors: Monitor[] = [];
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((m) => m.stop()));
});

async function startMonitor() {
  const monitor = await Monitor.start({ dataDir: tempDir(), receiver: { port: 0 }, pushIntervalMs: 20 });
  monitors.push(monitor);
  const state = monitor.receiverState();
  const pushes: PushEventName[] = [];
  monitor.host.subscribe((event) => pushes.push(event));
  return { monitor, url: `${state.localUrl}${state.path}`, pushes };
}

async function deliver(url: string, events: unknown[]): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
  expect(response.status).toBe(200);
}

describe('command handlers: retention.set', () => {
  it('returns the saved settings and what enforcing them at once removed', async () => {
    const { monitor, url, pushes } = await startMonitor();
    const first = ivrScenario(sid('FN', 'first'));
    const second = ivrScenario(sid('FN', 'second'));
    const perExecution = first.events.length;
    await deliver(url, first.events);
    await deliver(url, second.events);
    expect(await monitor.host.invoke('stats.get', {})).toMatchObject({ ok: true, result: { storedEvents: 2 * perExecution, executions: 2 } });

    // room for one execution and a bit: the oldest goes whole
    const trimmed = await monitor.host.invoke('retention.set', { maxAgeDays: 90, maxEvents: perExecution + 1 });
    expect(trimmed).toEqual({
      ok: true,
      result: { settings: { maxAgeDays: 90, maxEvents: perExecution + 1 }, deletedExecutions: 1, deletedEvents: perExecution },
    });
    expect(pushes).toContain('store.reset');
    expect(await monitor.host.invoke('stats.get', {})).toMatchObject({ ok: true, result: { storedEvents: perExecution, executions: 1 } });
    expect(await monitor.host.invoke('retention.get', {})).toEqual({ ok: true, result: { maxAgeDays: 90, maxEvents: perExecution + 1 } });

    // already within the limits: nothing removed, and no reset for the UIs to refetch on
    pushes.length = 0;
    const unchanged = await monitor.host.invoke('retention.set', { maxAgeDays: null, maxEvents: null });
    expect(unchanged).toEqual({ ok: true, result: { settings: { maxAgeDays: null, maxEvents: null }, deletedExecutions: 0, deletedEvents: 0 } });
    expect(pushes).not.toContain('store.reset');
  });

  it('refuses settings the contract does not allow, saving nothing', async () => {
    const { monitor } = await startMonitor();
    const before = await monitor.host.invoke('retention.get', {});
    expect(await monitor.host.invoke('retention.set', { maxAgeDays: 0, maxEvents: null })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await monitor.host.invoke('retention.get', {})).toEqual(before);
  });
});

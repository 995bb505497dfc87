import { afterEach, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/core/monitor.js';
import type { PushEventName } from '../../src/shared/contract.js';
import type { ExecutionSummary } from '../../src/shared/execution-model.js';
import { ivrScenario, messagingScenario, sinkTestEvent } from '../shared/studio-fixtures.js';
import { signDelivery } from '../../src/core/receiver/twilio-signature.js';
import { useTempDir } from '../support/temp-dir.js';

const tempDir = useTempDir();
const monitors: Monitor[] = [];
afterEach(async () => {
  await Promise.all(monitors.splice(0).map((m) => m.stop()));
});

async function startMonitor(options: Partial<Parameters<typeof Monitor.start>[0]> = {}) {
  const monitor = await Monitor.start({ dataDir: tempDir(), receiver: { port: 0 }, pushIntervalMs: 20, ...options });
  monitors.push(monitor);
  const state = monitor.receiverState();
  const pushes: Array<{ event: PushEventName; payload: unknown }> = [];
  monitor.host.subscribe((event, payload) => pushes.push({ event, payload }));
  return { monitor, url: `${state.localUrl}${state.path}`, pushes };
}

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

async function waitFor<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('monitor', () => {
  it('acknowledges deliveries, projects trees and answers contract commands', async () => {
    const { monitor, url } = await startMonitor();
    const ivr = ivrScenario();
    // out of order and in two deliveries, one duplicated
    const reversed = [...ivr.events].reverse();
    expect((await post(url, reversed.slice(0, 4))).status).toBe(200);
    expect((await post(url, reversed.slice(3))).status).toBe(200);

    const list = await monitor.host.invoke('executions.list', {});
    expect(list).toMatchObject({ ok: true, result: { total: 1 } });
    const got = await monitor.host.invoke('executions.get', { executionSid: ivr.executionSid });
    if (!got.ok) throw new Error('executions.get failed');
    const result = got.result as { tree: { summary: ExecutionSummary; steps: Array<{ widget: string; children: unknown[] }> }; events: unknown[] };
    expect(result.tree.summary.status).toBe('ended');
    expect(result.tree.steps.map((s) => s.widget)).toEqual(['Trigger', 'gather_menu', 'split_digits', 'say_hours', 'run_survey']);
    expect(result.tree.steps[4]?.children).toHaveLength(2);
    expect(result.events).toHaveLength(ivr.events.length);

    const stats = await monitor.host.invoke('stats.get', {});
    expect(stats).toMatchObject({ ok: true, result: { storedEvents: ivr.events.length, executions: 1, duplicatesIgnored: 1, receivedEvents: ivr.events.length } });
    const flows = await monitor.host.invoke('flows.list', {});
    expect(flows).toMatchObject({ ok: true, result: [{ flowSid: ivr.flowSid, ended: 1, total: 1 }] });
  });

  it('pushes coalesced deltas: each changed execution once, with its flow and the stats', async () => {
    const { url, pushes } = await startMonitor({ pushIntervalMs: 200 });
    const sms = messagingScenario();
    await Promise.all(sms.events.map((event) => post(url, [event])));
    const changed = await waitFor(() => pushes.find((p) => p.event === 'executions.changed'), 'executions.changed');
    const executions = (changed.payload as { executions: ExecutionSummary[] }).executions;
    expect(executions).toHaveLength(1);
    expect(executions[0]).toMatchObject({ executionSid: sms.executionSid, status: 'active', currentWidget: 'ask_order_number' });
    expect(pushes.filter((p) => p.event === 'executions.changed')).toHaveLength(1);
    expect(pushes.find((p) => p.event === 'flows.changed')?.payload).toMatchObject({ flows: [{ flowSid: sms.flowSid, active: 1 }] });
    expect(pushes.some((p) => p.event === 'stats.changed')).toBe(true);
  });

  it('counts the sink test event', async () => {
    const { monitor, url } = await startMonitor();
    await post(url, [sinkTestEvent('abc')]);
    const stats = await monitor.host.invoke('stats.get', {});
    expect(stats).toMatchObject({ ok: true, result: { lastSinkTest: { testId: 'abc' } } });
  });

  it('with a token, refuses unsigned and forged deliveries, stores nothing from them and lists why', async () => {
    const token = 'test-auth-token-0123456789abcdef';
    const { monitor, url } = await startMonitor({ verification: { authToken: token, publicUrl: 'https://flowscope.example.ngrok-free.app' } });
    const ivr = ivrScenario();
    expect((await post(url, ivr.events)).status).toBe(403);
    const body = JSON.stringify(ivr.events);
    const signed = signDelivery(token, 'https://flowscope.example.ngrok-free.app/events', body);
    const query = new URL(signed.url).search;
    const forged = JSON.stringify([...ivr.events, sinkTestEvent('forged')]);
    const forgedStatus = await fetch(`${url}${query}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-twilio-signature': signed.signature }, body: forged });
    expect(forgedStatus.status).toBe(403);
    const good = await fetch(`${url}${query}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-twilio-signature': signed.signature }, body });
    expect(good.status).toBe(200);

    const stats = await monitor.host.invoke('stats.get', {});
    expect(stats).toMatchObject({ ok: true, result: { unverifiedRequests: 2, storedEvents: ivr.events.length, lastSinkTest: null } });
    const why = await monitor.host.invoke('unverified.list', {});
    expect(why.ok && (why.result as unknown[]).length).toBe(2);
    const info = await monitor.host.invoke('receiver.info', {});
    expect(info).toMatchObject({ ok: true, result: { verifying: true, publicUrl: 'https://flowscope.example.ngrok-free.app/events' } });
    expect(JSON.stringify(info)).not.toContain(token);
  });

  it('exports through the contract and imports back into another monitor (store.reset pushed)', async () => {
    const first = await startMonitor();
    await post(first.url, [...ivrScenario().events, ...messagingScenario().events]);
    const exported = await first.monitor.host.invoke('export.run', {});
    if (!exported.ok) throw new Error('export failed');
    const { text, fileName } = exported.result as { text: string; fileName: string };
    expect(fileName).toMatch(/^flowscope-executions-.*\.json$/);
    expect(JSON.parse(text)).toMatchObject({ format: 'flowscope.executions', version: 1 });

    const second = await startMonitor();
    const imported = await second.monitor.host.invoke('import.run', { text });
    expect(imported).toMatchObject({ ok: true, result: { executions: 2 } });
    expect(second.pushes.some((p) => p.event === 'store.reset')).toBe(true);
    const again = await second.monitor.host.invoke('import.run', { text });
    expect(again).toMatchObject({ ok: true, result: { inserted: 0 } });
    const bad = await second.monitor.host.invoke('import.run', { text: '{"format":"something-else"}' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await second.monitor.host.invoke('export.save', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('answers 503 (never 4xx) once stopping, so Twilio retries', async () => {
    const { monitor, url } = await startMonitor();
    await monitor.stop();
    const response = await post(url, ivrScenario().events).catch(() => null);
    // the listener is closed: the connection is refused, which Twilio also retries
    expect(response === null || response.status === 503).toBe(true);
  });
});

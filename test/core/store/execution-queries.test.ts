import { describe, expect, it } from 'vitest';
import { escapeLike } from '../../../src/core/store/execution-queries.js';
import type { EventStore } from '../../../src/core/store/event-store.js';
import { at, executionScenario, sid } from '../../shared/studio-fixtures.js';
import { batchOf, openStore } from './store-test-helpers.js';

const FLOW_A = sid('FW', 'a');
const FLOW_B = sid('FW', 'b');

/** Ten executions, one a minute from 10:00: even ones in flow A, odd in flow B; 3 active, 1 failed. */
async function seed(store: EventStore) {
  const scenarios = Array.from({ length: 10 }, (_, i) =>
    executionScenario({
      executionSid: sid('FN', i + 1),
      flowSid: i % 2 === 0 ? FLOW_A : FLOW_B,
      contact: i === 4 ? 'whatsapp:+15005550100' : `+1500555${String(i).padStart(4, '0')}`,
      start: at(i * 60_000),
      steps: [
        { from: 'Trigger', to: i === 7 ? 'send_100%_off' : 'gather_menu', name: 'incomingCall', atMs: 0 },
        ...(i === 7 ? [{ from: 'send_100%_off', to: 'Ended', name: 'failed', atMs: 500 }] : []),
      ],
      ...(i < 3 ? {} : { ended: { atMs: 1_000, reason: i === 7 ? 'API' : 'FLOW_END' } }),
    }),
  );
  await store.append(batchOf(scenarios.flatMap((s) => s.events)));
  return scenarios;
}

const sids = (items: { executionSid: string }[]) => items.map((item) => item.executionSid);
const fn = (...ns: number[]) => ns.map((n) => sid('FN', n));

describe('execution queries', () => {
  it('lists newest first with a total and pages through with offset and limit', async () => {
    const store = openStore();
    await seed(store);
    const page1 = store.listExecutions({}, 0, 4);
    const page3 = store.listExecutions({}, 8, 4);
    expect(page1.total).toBe(10);
    expect(sids(page1.items)).toEqual(fn(10, 9, 8, 7));
    expect(page3).toMatchObject({ total: 10, offset: 8 });
    expect(sids(page3.items)).toEqual(fn(2, 1));
  });

  it('filters by flow, status, time range, execution sids, and combines them', async () => {
    const store = openStore();
    await seed(store);
    expect(sids(store.listExecutions({ flowSid: FLOW_A }).items)).toEqual(fn(9, 7, 5, 3, 1));
    expect(sids(store.listExecutions({ status: ['active'] }).items)).toEqual(fn(3, 2, 1));
    expect(sids(store.listExecutions({ status: ['failed', 'active'] }).items)).toEqual(fn(8, 3, 2, 1));
    expect(store.listExecutions({ status: [] }).total).toBe(0);
    expect(sids(store.listExecutions({ since: at(5 * 60_000), until: at(7 * 60_000) }).items)).toEqual(fn(7, 6));
    expect(sids(store.listExecutions({ since: '2025-01-01T11:02:30+01:00' }).items)).toEqual(fn(10, 9, 8, 7, 6, 5, 4));
    expect(sids(store.listExecutions({ executionSids: fn(2, 4, 99) }).items)).toEqual(fn(4, 2));
    expect(sids(store.listExecutions({ flowSid: FLOW_B, status: ['ended'], since: at(4 * 60_000) }).items)).toEqual(
      fn(10, 6),
    );
  });

  it('searches contact, sids, started-by and widget names, with LIKE wildcards escaped', async () => {
    const store = openStore();
    await seed(store);
    expect(sids(store.listExecutions({ text: 'whatsapp' }).items)).toEqual(fn(5));
    expect(sids(store.listExecutions({ text: sid('FN', 3).slice(-6).toLowerCase() }).items)).toEqual(fn(3));
    expect(store.listExecutions({ text: FLOW_B }).total).toBe(5);
    // widget search finds what the summary lists (the widgets, and the one an active execution waits in)
    const all = store.listExecutions({}).items;
    const withWidget = (name: string) =>
      sids(all.filter((e) => [...e.widgets, e.currentWidget].some((w) => w?.toLowerCase() === name.toLowerCase())));
    expect(store.listExecutions({ text: 'trigger' }).total).toBe(10);
    expect(withWidget('gather_menu')).toContain(sid('FN', 1));
    expect(sids(store.listExecutions({ text: 'GATHER_menu' }).items)).toEqual(withWidget('gather_menu'));
    expect(sids(store.listExecutions({ text: '100%_off' }).items)).toEqual(fn(8));
    expect(store.listExecutions({ text: '%' }).total).toBe(1);
    expect(store.listExecutions({ text: 'gather_menu%' }).total).toBe(0);
    expect(store.listExecutions({ text: '   ' }).total).toBe(10);
    expect(escapeLike('a\\b%c_d')).toBe('a\\\\b\\%c\\_d');
  });

  it('summarizes flows with SQL, most recently active first', async () => {
    const store = openStore();
    await seed(store);
    expect(store.listFlows()).toEqual([
      { flowSid: FLOW_B, active: 1, ended: 3, failed: 1, total: 5, lastEventAt: at(9 * 60_000 + 1_000) },
      { flowSid: FLOW_A, active: 2, ended: 3, failed: 0, total: 5, lastEventAt: at(8 * 60_000 + 1_000) },
    ]);
    expect(store.listFlows([FLOW_A]).map((f) => f.flowSid)).toEqual([FLOW_A]);
  });

  it('pages with a keyset cursor through the same order as the list', async () => {
    const store = openStore();
    await seed(store);
    const seen: string[] = [];
    let cursor = null;
    do {
      const page = store.pageExecutions({ flowSid: FLOW_B }, cursor, 2);
      seen.push(...sids(page.items));
      cursor = page.next;
    } while (cursor !== null);
    expect(seen).toEqual(sids(store.listExecutions({ flowSid: FLOW_B }).items));
  });
});

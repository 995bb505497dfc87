/**
 * The sidebar's per-flow counts are kept by triggers on the executions projection; they must always
 * equal a plain GROUP BY over the executions, through status changes, retention and clears.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import Database from 'libsql';
import { STORE_FILE_NAME } from '../../../src/core/store/event-store.js';
import { executionScenario, sid } from '../../shared/studio-fixtures.js';
import { batchOf, openStore, tempDir } from './store-test-helpers.js';

function groupedCounts(dataDir: string) {
  const db = new Database(path.join(dataDir, STORE_FILE_NAME), { readonly: true });
  try {
    return (db
      .prepare(
        `SELECT flow_sid AS flowSid, sum(status = 'active') AS active, sum(status = 'ended') AS ended,
           sum(status = 'failed') AS failed, count(*) AS total FROM executions GROUP BY flow_sid ORDER BY flow_sid`,
      )
      .all() as Array<Record<string, unknown>>).map(({ flowSid, active, ended, failed, total }) => ({ flowSid, active, ended, failed, total }));
  } finally {
    db.close();
  }
}

function scenario(i: number, flow: number, start: string) {
  return executionScenario({
    executionSid: sid('FN', 5_000 + i),
    flowSid: sid('FW', flow),
    start,
    steps: [{ from: 'Trigger', to: 'ask', name: 'incomingMessage', atMs: 0 }],
    ended: i % 3 === 0 ? undefined : { atMs: 1_000, reason: i % 3 === 1 ? 'FLOW_END' : 'ERROR' },
  });
}

describe('flow counts', () => {
  it('follow an execution whose flow changes (rows moved between flows), and the same flow', async () => {
    const dataDir = tempDir();
    const store = openStore(dataDir);
    const scenarios = Array.from({ length: 6 }, (_, i) => scenario(i, i % 2, '2025-01-01T10:00:00.000Z'));
    await store.append(batchOf(scenarios.flatMap((s) => [s.started, ...s.steps, ...(s.ended ? [s.ended] : [])])));
    const flows = () => store.listFlows().map(({ flowSid, active, ended, failed, total }) => ({ flowSid, active, ended, failed, total })).sort((a, b) => (a.flowSid < b.flowSid ? -1 : 1));
    const db = new Database(path.join(dataDir, STORE_FILE_NAME));
    try {
      // every execution of flow 0 moves to flow 1 and one of flow 1 to a new flow 2; then statuses change in place
      db.exec(`UPDATE executions SET flow_sid = '${sid('FW', 1)}' WHERE flow_sid = '${sid('FW', 0)}'`);
      db.exec(`UPDATE executions SET flow_sid = '${sid('FW', 2)}' WHERE execution_sid = '${sid('FN', 5_001)}'`);
      db.exec(`UPDATE executions SET status = CASE status WHEN 'active' THEN 'failed' ELSE 'active' END`);
    } finally {
      db.close();
    }
    expect(flows()).toEqual(groupedCounts(dataDir));
    expect(flows().map((f) => f.flowSid)).toEqual([sid('FW', 1), sid('FW', 2)]);
  });

  it('match the executions through inserts, status changes, retention and clears', async () => {
    const dataDir = tempDir();
    const store = openStore(dataDir);
    const scenarios = Array.from({ length: 30 }, (_, i) => scenario(i, i % 4, i < 15 ? '2025-01-01T10:00:00.000Z' : '2025-01-02T10:00:00.000Z'));
    // first every execution's start only (all active), then the rest: status moves active -> ended/failed
    await store.append(batchOf(scenarios.flatMap((s) => [s.started, ...s.steps])));
    const flows = () => store.listFlows().map(({ flowSid, active, ended, failed, total }) => ({ flowSid, active, ended, failed, total })).sort((a, b) => (a.flowSid < b.flowSid ? -1 : 1));
    expect(flows()).toEqual(groupedCounts(dataDir));
    expect(flows().reduce((n, f) => n + f.active, 0)).toBe(30);

    await store.append(batchOf(scenarios.flatMap((s) => (s.ended ? [s.ended] : []))));
    expect(flows()).toEqual(groupedCounts(dataDir));
    expect(flows().reduce((n, f) => n + f.failed, 0)).toBe(10);

    await store.clearOlderThan('2025-01-02T00:00:00.000Z');
    expect(flows()).toEqual(groupedCounts(dataDir));
    expect(flows().reduce((n, f) => n + f.total, 0)).toBe(15);

    await store.clearOlderThan('2030-01-01T00:00:00.000Z');
    expect(store.listFlows()).toEqual([]);
  });

  it('survive a reopen and only list the flows asked for', async () => {
    const dataDir = tempDir();
    const first = openStore(dataDir);
    await first.append(batchOf([...scenario(1, 1, '2025-01-01T10:00:00.000Z').events, ...scenario(2, 2, '2025-01-01T11:00:00.000Z').events]));
    first.close();
    const again = openStore(dataDir);
    expect(again.listFlows().map((f) => f.flowSid)).toEqual([sid('FW', 2), sid('FW', 1)]);
    expect(again.listFlows([sid('FW', 1)])).toMatchObject([{ flowSid: sid('FW', 1), ended: 1, total: 1 }]);
  });
});

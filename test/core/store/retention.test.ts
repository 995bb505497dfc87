import path from 'node:path';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION, exportToString, importFromText, STORE_FILE_NAME } from '../../../src/core/store/event-store.js';
import { at, executionScenario, executionStarted, sid, sinkTestEvent } from '../../shared/studio-fixtures.js';
import { batchOf, openStore, tempDir, withWriterMode, WRITER_MODES } from './store-test-helpers.js';

const DAY = 86_400_000;

/** An execution of `events` events (start + steps) whose last event is at `lastAt`. */
function executionEndingAt(n: number, lastAt: string, steps = 1) {
  return executionScenario({
    executionSid: sid('FN', n),
    start: new Date(Date.parse(lastAt) - steps * 1_000).toISOString(),
    steps: Array.from({ length: steps }, (_, i) => ({ from: `w${i}`, to: `w${i + 1}`, name: 'next', atMs: (i + 1) * 1_000 })),
  }).events;
}

describe.each(WRITER_MODES)('retention, $name', ({ writerThread }) => {
  withWriterMode(writerThread);

  it('has defaults, validates and persists settings', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    expect(store.getRetention()).toEqual(DEFAULT_RETENTION);
    expect(await store.setRetention({ maxAgeDays: 2, maxEvents: null })).toEqual({ maxAgeDays: 2, maxEvents: null });
    await expect(store.setRetention({ maxAgeDays: -1, maxEvents: null })).rejects.toThrow();
    store.close();
    expect(openStore(dir).getRetention()).toEqual({ maxAgeDays: 2, maxEvents: null });
  });

  it('clearOlderThan deletes whole executions whose latest activity is older, and old events of no execution', async () => {
    const store = openStore();
    const old = executionEndingAt(1, at(-3 * DAY), 2);
    const recentlyActive = executionScenario({
      executionSid: sid('FN', 2),
      start: at(-5 * DAY),
      steps: [{ from: 'Trigger', to: 'wait_reply', name: 'incomingMessage', atMs: 5 * DAY - 60_000 }],
    }).events;
    const fresh = executionEndingAt(3, at(0));
    const oldSinkTest = sinkTestEvent('old', { time: at(-4 * DAY) });
    await store.append(batchOf([...old, ...recentlyActive, ...fresh, oldSinkTest, sinkTestEvent('new', { time: at(0) })]));

    const result = await store.clearOlderThan(at(-1 * DAY));
    expect(result).toEqual({ deletedExecutions: 1, deletedEvents: old.length + 1 });
    expect(store.getExecution(sid('FN', 1))).toBeNull();
    expect(store.listExecutions({}).items.map((e) => e.executionSid)).toEqual([sid('FN', 3), sid('FN', 2)]);
    expect(store.counts()).toEqual({ storedEvents: recentlyActive.length + fresh.length + 1, executions: 2 });
    expect(store.pageOtherEvents(0, 10).rawEvents).toHaveLength(1);
    // a late event of a deleted execution starts it afresh, without the deleted steps
    const late = await store.append(batchOf([executionStarted({ data: { execution_sid: sid('FN', 1) } })]));
    expect(late.changed[0]).toMatchObject({ executionSid: sid('FN', 1), stepCount: 0, eventCount: 1 });
    await expect(store.clearOlderThan('yesterday')).rejects.toThrow(/not a date-time/);
  });

  it('deletes in chunks through many executions', async () => {
    const store = openStore();
    const events = Array.from({ length: 450 }, (_, i) => executionEndingAt(i + 1, at(-10 * DAY + i * 1_000), 0)).flat();
    await store.append(batchOf(events));
    expect(store.counts().executions).toBe(450);
    const result = await store.clearOlderThan(at(0));
    expect(result).toEqual({ deletedExecutions: 450, deletedEvents: 450 });
    expect(store.counts()).toEqual({ storedEvents: 0, executions: 0 });
  });

  it('applyRetention trims to maxEvents oldest first (whole executions), then applies max age', async () => {
    const store = openStore();
    // 6 executions of 3 events, one a minute; plus 2 sink tests in between
    const executions = Array.from({ length: 6 }, (_, i) => executionEndingAt(i + 1, at(i * 60_000), 2));
    const sinkTests = [90_000, 400_000].map((ms, i) => ({ events: [sinkTestEvent(`t${i + 1}`, { time: at(ms) })], at: at(ms) }));
    // received live: each as its last event happened
    const live = [...executions.map((events, i) => ({ events, at: at(i * 60_000) })), ...sinkTests];
    for (const { events, at: receivedAt } of live) await store.append(batchOf(events, [], new Date(receivedAt)));
    expect(store.counts().storedEvents).toBe(20);

    await store.setRetention({ maxAgeDays: null, maxEvents: 10 });
    const trimmed = await store.applyRetention(new Date(at(DAY)));
    // oldest first: FN1 (3), FN2 (3), sink test t1 (1), FN3 (3) -> 10 events left
    expect(trimmed).toEqual({ deletedExecutions: 3, deletedEvents: 10 });
    expect(store.listExecutions({}).items.map((e) => e.executionSid)).toEqual([sid('FN', 6), sid('FN', 5), sid('FN', 4)]);
    expect(store.counts()).toEqual({ storedEvents: 10, executions: 3 });

    await store.setRetention({ maxAgeDays: 1, maxEvents: 10 });
    const aged = await store.applyRetention(new Date(Date.parse(at(DAY)) + 210_000));
    // the cut-off is 00:03:30: FN4 (last event 00:03) goes; FN5 (00:04) and t2 (00:06:40) stay
    expect(aged).toEqual({ deletedExecutions: 1, deletedEvents: 3 });
    expect(store.counts()).toEqual({ storedEvents: 7, executions: 2 });
  });

  it('keeps only the newest rejected items', async () => {
    const store = openStore();
    const rejected = Array.from({ length: 5 }, (_, i) => ({ index: i, id: `r${i}`, reason: 'bad', raw: {} }));
    await store.append(batchOf([], rejected));
    await store.clearOlderThan('2025-01-01T11:00:00Z'); // received at 12:00: kept
    expect(store.listRejected(100)).toHaveLength(5);
    await store.clearOlderThan('2025-01-01T13:00:00Z');
    expect(store.listRejected(100)).toHaveLength(0);
  });

  it('max age keeps executions and events imported now, however old their events', async () => {
    const source = openStore();
    const oldExecution = executionEndingAt(1, at(-90 * DAY), 2);
    await source.append(batchOf([...oldExecution, sinkTestEvent('old-test', { time: at(-90 * DAY) })], [], new Date(at(-90 * DAY))));
    const { text } = await exportToString(source, {});

    const store = openStore();
    await store.setRetention({ maxAgeDays: 30, maxEvents: null });
    const importedAt = new Date(at(0));
    await importFromText(store, text, importedAt);
    expect(await store.applyRetention(new Date(at(DAY)))).toEqual({ deletedExecutions: 0, deletedEvents: 0 });
    expect(store.counts()).toEqual({ storedEvents: oldExecution.length + 1, executions: 1 });
    // they age from the import: 30 days after it, they go
    expect(await store.applyRetention(new Date(at(31 * DAY)))).toEqual({ deletedExecutions: 1, deletedEvents: oldExecution.length + 1 });
  });

  it('max age also keeps an old-dated event appended with a recent receipt; clearOlderThan still goes by event time', async () => {
    const store = openStore();
    await store.setRetention({ maxAgeDays: 30, maxEvents: null });
    const events = executionEndingAt(1, at(-60 * DAY), 1);
    await store.append(batchOf(events, [], new Date(at(0))));
    expect(await store.applyRetention(new Date(at(DAY)))).toEqual({ deletedExecutions: 0, deletedEvents: 0 });
    expect(await store.clearOlderThan(at(-DAY))).toEqual({ deletedExecutions: 1, deletedEvents: events.length });
  });

  it('max events trims by when Flowscope got an execution: an older import outlives earlier live traffic', async () => {
    const store = openStore();
    const live = executionEndingAt(1, at(0), 1);
    await store.append(batchOf(live, [], new Date(at(0))));
    const imported = executionEndingAt(2, at(-90 * DAY), 1);
    await store.append(batchOf(imported, [], new Date(at(60_000))));
    await store.setRetention({ maxAgeDays: null, maxEvents: imported.length });
    expect(await store.applyRetention(new Date(at(120_000)))).toEqual({ deletedExecutions: 1, deletedEvents: live.length });
    expect(store.listExecutions({}).items.map((e) => e.executionSid)).toEqual([sid('FN', 2)]);
  });

  it('migrates a store made before the receipt-aware age (schema 2) and ages its rows by it', async () => {
    const dir = tempDir();
    const first = openStore(dir);
    const events = executionEndingAt(1, at(-60 * DAY), 1);
    await first.append(batchOf([...events, sinkTestEvent('old', { time: at(-60 * DAY) })], [], new Date(at(0))));
    first.close();
    // take the store back to schema 2
    const db = new Database(path.join(dir, STORE_FILE_NAME));
    db.exec(`DROP TRIGGER executions_flow_update_same; DROP TRIGGER executions_flow_update_moved;
      DROP TRIGGER events_count_insert; DROP TRIGGER events_count_delete; DROP TABLE store_counts;
      DROP INDEX executions_by_retention_time; ALTER TABLE executions DROP COLUMN retention_time;
      DROP INDEX events_other_by_retention_time; ALTER TABLE events DROP COLUMN retention_time;
      DELETE FROM schema_version WHERE version > 2;`);
    db.close();

    const store = openStore(dir);
    await store.setRetention({ maxAgeDays: 30, maxEvents: null });
    expect(await store.applyRetention(new Date(at(DAY)))).toEqual({ deletedExecutions: 0, deletedEvents: 0 });
    expect(await store.applyRetention(new Date(at(31 * DAY)))).toEqual({ deletedExecutions: 1, deletedEvents: events.length + 1 });
  });
});

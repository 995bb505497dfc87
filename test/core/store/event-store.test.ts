import fs from 'node:fs';
import path from 'node:path';
import Database from 'libsql';
import { describe, expect, it } from 'vitest';
import { STORE_FILE_NAME, StoreUnavailableError } from '../../../src/core/store/event-store.js';
import { MAX_REJECTED_RAW_CHARS } from '../../../src/core/store/append-commit.js';
import { buildExecutionTree } from '../../../src/shared/execution-tree.js';
import {
  executionStarted,
  ivrScenario,
  messagingScenario,
  parseAll,
  sid,
  sinkTestEvent,
  stepEnded,
} from '../../shared/studio-fixtures.js';
import { batchOf, openStore, tempDir, withWriterMode, WRITER_MODES } from './store-test-helpers.js';

const otherEvent = (id: string) => ({
  specversion: '1.0',
  id,
  type: 'com.twilio.messaging.message.delivered',
  source: '/2010-04-01/Accounts/AC1/Messages/SM1.json',
  time: '2025-01-01T10:00:05.000Z',
  data: { messageSid: 'SM1', extra: { nested: [1, 2] } },
});

describe.each(WRITER_MODES)('EventStore, $name', ({ writerThread }) => {
  withWriterMode(writerThread);

  it('creates flowscope.db in WAL mode in the data directory', () => {
    const dir = path.join(tempDir(), 'nested', 'data');
    const store = openStore(dir);
    expect(store.file).toBe(path.join(dir, STORE_FILE_NAME));
    expect(fs.existsSync(store.file)).toBe(true);
    store.close();
    const db = new Database(store.file);
    expect(db.pragma('journal_mode', { simple: true })).toEqual(expect.objectContaining({ journal_mode: 'wal' }));
    db.close();
  });

  it('stores events, ignores duplicates (stored before or twice in one batch) and counts them', async () => {
    const store = openStore();
    const ivr = ivrScenario();
    const first = await store.append(batchOf(ivr.events.slice(0, 3)));
    expect(first).toMatchObject({ inserted: 3, duplicates: 0, otherInserted: 0, rejected: 0 });
    const again = await store.append(batchOf([...ivr.events, ivr.events[4], ivr.events[0]]));
    expect(again.inserted).toBe(ivr.events.length - 3);
    expect(again.duplicates).toBe(3 + 2);
    expect(store.counts()).toEqual({ storedEvents: ivr.events.length, executions: 1 });
    const nothing = await store.ingest(batchOf(ivr.events));
    expect(nothing).toMatchObject({ inserted: 0, duplicates: ivr.events.length, changed: [] });
  });

  it('keeps the raw CloudEvent exactly, unknown fields included', async () => {
    const store = openStore();
    const started = executionStarted();
    const raw = { ...started, myextension: 'kept', data: { ...started.data, unknown_field: { a: 1 } } };
    await store.append(batchOf([raw]));
    const execution = store.getExecution(String(started.data.execution_sid));
    expect(execution?.events).toHaveLength(1);
    expect(execution?.events[0]?.event).toEqual(raw);
    expect(execution?.events[0]).toMatchObject({ id: raw.id, type: raw.type, kind: 'execution.started', time: raw.time });
  });

  it('projects executions as buildExecutionTree does, whatever the order of arrival', async () => {
    const store = openStore();
    const ivr = ivrScenario(sid('FN', 10));
    const sms = messagingScenario(sid('FN', 11));
    const shuffled = [...ivr.events].reverse();
    const changed = [];
    for (const event of shuffled) changed.push(...(await store.append(batchOf([event]))).changed);
    await store.append(batchOf(sms.events));

    const expectedIvr = buildExecutionTree(parseAll(ivr.events));
    const expectedSms = buildExecutionTree(parseAll(sms.events));
    expect(changed.at(-1)).toEqual(expectedIvr.summary);
    expect(store.getExecution(ivr.executionSid)?.tree).toEqual(expectedIvr);
    expect(store.getExecution(sms.executionSid)?.tree).toEqual(expectedSms);
    expect(store.listExecutions({}).items).toEqual([expectedSms.summary, expectedIvr.summary].sort((a, b) =>
      (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || b.executionSid.localeCompare(a.executionSid),
    ));
    expect(store.getExecution(sid('FN', 99))).toBeNull();
  });

  it('keeps projections right when the cache is cold (after reopening)', async () => {
    const dir = tempDir();
    const ivr = ivrScenario();
    const store = openStore(dir);
    await store.append(batchOf(ivr.events.slice(0, 4)));
    store.close();
    const reopened = openStore(dir);
    const outcome = await reopened.append(batchOf(ivr.events.slice(4)));
    expect(outcome.changed).toEqual([buildExecutionTree(parseAll(ivr.events)).summary]);
  });

  it('keeps everything after close and reopen', async () => {
    const dir = tempDir();
    const ivr = ivrScenario();
    const store = openStore(dir);
    await store.append(batchOf([...ivr.events, sinkTestEvent('t-1'), otherEvent('other-1')]));
    await store.setRetention({ maxAgeDays: 7, maxEvents: 5000 });
    const before = { list: store.listExecutions({}), flows: store.listFlows(), tree: store.getExecution(ivr.executionSid) };
    store.close();
    const reopened = openStore(dir);
    expect(reopened.counts()).toEqual({ storedEvents: ivr.events.length + 2, executions: 1 });
    expect(reopened.listExecutions({})).toEqual(before.list);
    expect(reopened.listFlows()).toEqual(before.flows);
    expect(reopened.getExecution(ivr.executionSid)).toEqual(before.tree);
    expect(reopened.getRetention()).toEqual({ maxAgeDays: 7, maxEvents: 5000 });
    expect((await reopened.append(batchOf(ivr.events))).inserted).toBe(0);
  });

  it('stores events of no execution apart and counts them', async () => {
    const store = openStore();
    const sinkTest = sinkTestEvent('t-1');
    const outcome = await store.append(batchOf([sinkTest, otherEvent('o-1'), otherEvent('o-1')]));
    expect(outcome).toMatchObject({ inserted: 2, duplicates: 1, otherInserted: 2, changed: [] });
    expect(store.counts()).toEqual({ storedEvents: 2, executions: 0 });
    expect(store.listExecutions({}).total).toBe(0);
    expect(store.pageOtherEvents(0, 10).rawEvents.map((raw) => JSON.parse(raw).id)).toEqual([sinkTest.id, 'o-1']);
  });

  it('records rejected items with their reason, raw text truncated', async () => {
    const store = openStore();
    const huge = { id: 'bad-1', junk: 'x'.repeat(MAX_REJECTED_RAW_CHARS * 2) };
    const outcome = await store.append(
      batchOf([stepEnded()], [
        { index: 1, id: 'bad-1', reason: 'not a CloudEvent: event.specversion: expected "1.0"', raw: huge },
        { index: 2, id: null, reason: 'not a CloudEvent', raw: 42 },
      ]),
    );
    expect(outcome).toMatchObject({ inserted: 1, rejected: 2 });
    const rejected = store.listRejected(10);
    expect(rejected.map((r) => [r.eventId, r.raw.length <= MAX_REJECTED_RAW_CHARS + 20])).toEqual([
      [null, true],
      ['bad-1', true],
    ]);
    expect(rejected[1]?.reason).toContain('specversion');
    expect(rejected[0]?.raw).toBe('42');
  });

  it('rejects appends with StoreUnavailableError once closed, and commits what was queued before', async () => {
    const dir = tempDir();
    const store = openStore(dir);
    const queued = store.append(batchOf([stepEnded()]));
    store.close();
    await expect(queued).resolves.toMatchObject({ inserted: 1 });
    await expect(store.append(batchOf([executionStarted()]))).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(() => store.listExecutions({})).toThrow(StoreUnavailableError);
    store.close(); // idempotent
    expect(openStore(dir).counts().storedEvents).toBe(1);
  });

  it('rejects with StoreUnavailableError and stores nothing when the write lock is held elsewhere', async () => {
    const dir = tempDir();
    const store = openStore(dir, { busyTimeoutMs: 50 });
    await store.append(batchOf([executionStarted()]));
    const other = new Database(path.join(dir, STORE_FILE_NAME));
    other.exec('BEGIN IMMEDIATE');
    const ivr = ivrScenario();
    const failed = store.append(batchOf(ivr.steps));
    await expect(failed).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(failed).rejects.toThrow(/could not commit/);
    other.exec('ROLLBACK');
    other.close();
    expect(store.counts().storedEvents).toBe(1);
    expect(store.getExecution(ivr.executionSid)?.events).toHaveLength(1);
    // the same batch succeeds once the lock is gone, and the projection includes it
    const retried = await store.append(batchOf(ivr.steps));
    expect(retried.inserted).toBe(ivr.steps.length);
    expect(retried.changed[0]?.stepCount).toBe(ivr.steps.length);
  });

  it('rebuilds the projection from the raw events when it was built by another version', async () => {
    const dir = tempDir();
    const ivr = ivrScenario();
    const store = openStore(dir);
    await store.append(batchOf(ivr.events));
    const expected = store.listExecutions({});
    store.close();
    const db = new Database(path.join(dir, STORE_FILE_NAME));
    db.exec(`UPDATE executions SET summary = '{}', status = 'bogus'; INSERT INTO executions
      (execution_sid, flow_sid, status, event_count, widgets, first_received_at, last_received_at, summary)
      VALUES ('FNorphan', 'FW1', 'active', 0, '', 'x', 'x', '{}');
      UPDATE settings SET value = '0' WHERE key = 'projection_version'`);
    db.close();
    const reopened = openStore(dir);
    expect(reopened.listExecutions({})).toEqual(expected);
    expect(reopened.counts()).toEqual({ storedEvents: ivr.events.length, executions: 1 });
  });

  it('sees what another connection committed to the same file (an import next to a running serve)', async () => {
    const dir = tempDir();
    const ivr = ivrScenario();
    const live = openStore(dir);
    await live.append(batchOf(ivr.events.slice(0, 2)));
    // the writer now caches these two events: the import below must make it drop them
    const importer = openStore(dir);
    await importer.append(batchOf(ivr.events.slice(2, -1)));
    importer.close();
    expect(live.counts()).toEqual({ storedEvents: ivr.events.length - 1, executions: 1 });
    const last = await live.append(batchOf(ivr.events.slice(-1)));
    expect(last.changed).toEqual([buildExecutionTree(parseAll(ivr.events)).summary]);
    expect(live.counts().storedEvents).toBe(ivr.events.length);
  });

  it('counts a store made before the trigger-kept counts (schema 3), then keeps counting', async () => {
    const dir = tempDir();
    const ivr = ivrScenario();
    const first = openStore(dir);
    await first.append(batchOf([...ivr.events.slice(0, 3), sinkTestEvent('t1')]));
    first.close();
    const db = new Database(path.join(dir, STORE_FILE_NAME));
    db.exec(`DROP TRIGGER executions_flow_update_same; DROP TRIGGER executions_flow_update_moved;
      DROP TRIGGER events_count_insert; DROP TRIGGER events_count_delete; DROP TABLE store_counts;
      DELETE FROM schema_version WHERE version > 3;`);
    // (schema 3 had one flow-count update trigger; its absence here changes nothing for these counts)
    db.close();
    const store = openStore(dir);
    expect(store.counts()).toEqual({ storedEvents: 4, executions: 1 });
    await store.append(batchOf(ivr.events));
    expect(store.counts()).toEqual({ storedEvents: ivr.events.length + 1, executions: 1 });
    await store.clearOlderThan('2100-01-01T00:00:00.000Z');
    expect(store.counts()).toEqual({ storedEvents: 0, executions: 0 });
  });

  it('refuses to open a store written by a newer schema', () => {
    const dir = tempDir();
    openStore(dir).close();
    const db = new Database(path.join(dir, STORE_FILE_NAME));
    db.exec('INSERT INTO schema_version (version) VALUES (999)');
    db.close();
    expect(() => openStore(dir)).toThrow(/newer Flowscope/);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { EventStore } from '../../../src/core/store/event-store.js';
import { ImportFormatError } from '../../../src/core/store/event-store.js';
import { exportFileName, exportToString, writeExport } from '../../../src/core/store/export-writer.js';
import { importFromFile, importFromText } from '../../../src/core/store/import-reader.js';
import { exportDocumentSchema } from '../../../src/shared/export-format.js';
import { MAX_JSON_DEPTH } from '../../../src/core/receiver/request-body.js';
import { at, executionScenario, ivrScenario, messagingScenario, sid, sinkTestEvent, stepEnded } from '../../shared/studio-fixtures.js';
import { batchOf, openStore, tempDir, withWriterMode, WRITER_MODES } from './store-test-helpers.js';

const NOW = new Date('2025-02-01T08:30:00.123Z');

async function seeded(): Promise<EventStore> {
  const store = openStore();
  const many = Array.from({ length: 12 }, (_, i) =>
    executionScenario({
      executionSid: sid('FN', 100 + i),
      flowSid: sid('FW', i % 3),
      start: at(i * 1_000),
      steps: [{ from: 'Trigger', to: 'say', name: 'incomingCall', atMs: 10 }],
      ended: { atMs: 500 },
    }).events,
  );
  await store.append(batchOf([...ivrScenario().events, ...messagingScenario().events, ...many.flat(), sinkTestEvent('t')]));
  return store;
}

/** Everything observable about the executions of a store. */
function snapshot(store: EventStore) {
  const list = store.listExecutions({}, 0, 1000);
  return {
    counts: store.counts(),
    list,
    flows: store.listFlows(),
    trees: list.items.map((e) => store.getExecution(e.executionSid)?.tree),
    events: list.items.map((e) => store.getExecution(e.executionSid)?.events.map((r) => r.event)),
    other: store.pageOtherEvents(0, 100).rawEvents,
  };
}

describe.each(WRITER_MODES)('export and import, $name', ({ writerThread }) => {
  withWriterMode(writerThread);

  it('exports a versioned document with summaries, ordered steps and raw events', async () => {
    const store = await seeded();
    const { text, fileName, counts } = await exportToString(store, {}, { now: NOW });
    expect(fileName).toBe('flowscope-executions-2025-02-01T08-30-00Z.json');
    expect(exportFileName(NOW)).toBe(fileName);
    const doc = exportDocumentSchema.parse(JSON.parse(text));
    expect(doc).toMatchObject({ format: 'flowscope.executions', version: 1, exportedAt: NOW.toISOString(), filter: {} });
    expect(counts).toEqual({ executions: 14, events: store.counts().storedEvents - 1, otherEvents: 1 });
    const ivr = doc.executions.find((e) => e.summary.executionSid === ivrScenario().executionSid);
    expect(ivr).toEqual({
      summary: store.getExecution(ivrScenario().executionSid)?.tree.summary,
      steps: store.getExecution(ivrScenario().executionSid)?.tree.steps,
      events: store.getExecution(ivrScenario().executionSid)?.events.map((r) => r.event),
    });
    expect(doc.executions.map((e) => e.summary.executionSid)).toEqual(store.listExecutions({}, 0, 100).items.map((e) => e.executionSid));
    expect(doc.otherEvents).toEqual([sinkTestEvent('t')]);
  });

  it('exports only what the filter selects, without other events', async () => {
    const store = await seeded();
    const { text } = await exportToString(store, { flowSid: sid('FW', 2) }, { now: NOW });
    const doc = exportDocumentSchema.parse(JSON.parse(text));
    expect(doc.filter).toEqual({ flowSid: sid('FW', 2) });
    expect(doc.executions.map((e) => e.summary.flowSid)).toEqual(Array(4).fill(sid('FW', 2)));
    expect(doc.otherEvents).toBeUndefined();
  });

  it('round-trips into a fresh store: identical executions, summaries, trees and raw events', async () => {
    const source = await seeded();
    const { text } = await exportToString(source, {}, { pageSize: 5 });
    const target = openStore();
    const result = await importFromText(target, text);
    const total = source.counts().storedEvents;
    expect(result).toEqual({ executions: 14, events: total, inserted: total, duplicates: 0, rejected: 0 });
    expect(snapshot(target)).toEqual(snapshot(source));
  });

  it('is idempotent: importing twice changes nothing', async () => {
    const source = await seeded();
    const { text } = await exportToString(source, {});
    const target = openStore();
    await importFromText(target, text);
    const once = snapshot(target);
    const again = await importFromText(target, text);
    expect(again).toMatchObject({ inserted: 0, duplicates: source.counts().storedEvents });
    expect(snapshot(target)).toEqual(once);
  });

  it('streams to a writable with backpressure and imports back from the file', async () => {
    const source = await seeded();
    const file = path.join(tempDir(), 'export.json');
    const out = fs.createWriteStream(file, { highWaterMark: 16 });
    await writeExport(source, {}, out, { pageSize: 3 });
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const target = openStore();
    const result = await importFromFile(target, file);
    expect(result.inserted).toBe(source.counts().storedEvents);
    expect(snapshot(target)).toEqual(snapshot(source));
  });

  it('waits for drain and fails when the destination fails', async () => {
    const store = await seeded();
    const chunks: string[] = [];
    let drains = 0;
    const slow = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        setImmediate(callback);
      },
    });
    slow.on('drain', () => drains++);
    await writeExport(store, {}, slow, { pageSize: 1 });
    expect(drains).toBeGreaterThan(0);
    expect(() => JSON.parse(chunks.join(''))).not.toThrow();

    const broken = new Writable({
      highWaterMark: 1,
      write(_chunk, _encoding, callback) {
        callback(new Error('disk full'));
      },
    });
    await expect(writeExport(store, {}, broken)).rejects.toThrow(/disk full/);
  });

  it('counts invalid raw events as rejected and imports the rest', async () => {
    const store = openStore();
    const good = ivrScenario();
    const text = JSON.stringify({
      format: 'flowscope.executions',
      version: 1,
      exportedAt: NOW.toISOString(),
      filter: {},
      executions: [{ summary: { executionSid: good.executionSid }, steps: [], events: [...good.events, { id: 'x' }, 'junk'] }],
      otherEvents: [42],
    });
    expect(await importFromText(store, text)).toEqual({
      executions: 1,
      events: good.events.length + 3,
      inserted: good.events.length,
      duplicates: 0,
      rejected: 3,
    });
  });

  it('refuses a bad document with a clear error and stores nothing', async () => {
    const store = openStore();
    const valid = JSON.parse((await exportToString(await seeded(), {})).text) as Record<string, unknown>;
    const bad = (patch: Record<string, unknown>) => JSON.stringify({ ...valid, ...patch });
    const cases: [string, RegExp][] = [
      ['not json at all', /not valid JSON at character 0/],
      ['', /document is empty/],
      ['[]', /expected a JSON object/],
      [bad({ format: 'something.else' }), /not a Flowscope export: "format" is "something.else", expected "flowscope.executions"/],
      [bad({ version: 2 }), /unsupported Flowscope export version 2: this version of Flowscope reads version 1/],
      [JSON.stringify({ version: 1, executions: [] }), /"format" field is missing/],
      [JSON.stringify({ format: 'flowscope.executions', version: 1, exportedAt: 'x' }), /"executions" array is missing/],
      [bad({ executions: 'all of them' }), /"executions" must be an array/],
      [bad({ executions: [...(valid.executions as unknown[]), { summary: {}, steps: [] }] }), /executions\[14\]\.summary\.executionSid/],
      [bad({}).slice(0, -20), /ends before its closing brace|not valid JSON/],
    ];
    for (const [text, message] of cases) {
      const attempt = importFromText(store, text);
      await expect(attempt, text.slice(0, 60)).rejects.toBeInstanceOf(ImportFormatError);
      await expect(importFromText(store, text)).rejects.toThrow(message);
    }
    expect(store.counts()).toEqual({ storedEvents: 0, executions: 0 });
  });

  describe('nesting depth', () => {
    /** `[[[...]]]` nested `depth` levels, as text (JSON.stringify cannot build it that deep). */
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    /** A document whose first execution has 1,100 valid events and whose `where` holds one event with `data.deep` = text. */
    function documentWithDeepEvent(deepText: string, where: 'execution' | 'otherEvents'): string {
      const valid = Array.from({ length: 1_100 }, (_, i) =>
        stepEnded({ id: `ok-${i}`, data: { execution_sid: sid('FN', 1), step_sid: sid('FT', i + 1) } }),
      );
      const deep = { ...stepEnded({ id: 'deep-1', data: { execution_sid: sid('FN', 2) } }), deepData: '@DEEP@' };
      const doc = {
        format: 'flowscope.executions',
        version: 1,
        exportedAt: NOW.toISOString(),
        filter: {},
        executions: [
          { summary: { executionSid: sid('FN', 1) }, steps: [], events: valid },
          ...(where === 'execution' ? [{ summary: { executionSid: sid('FN', 2) }, steps: [], events: [deep] }] : []),
        ],
        ...(where === 'otherEvents' ? { otherEvents: [sinkTestEvent('t'), deep] } : {}),
      };
      return JSON.stringify(doc).replace('"@DEEP@"', deepText);
    }

    it('refuses an event nested deeper than the receiver allows, naming it, and stores nothing', async () => {
      const store = openStore();
      const text = documentWithDeepEvent(nested(200_000), 'execution');
      const attempt = importFromText(store, text);
      await expect(attempt).rejects.toBeInstanceOf(ImportFormatError);
      await expect(importFromText(store, text)).rejects.toThrow(
        new RegExp(`executions\\[1\\]\\.events\\[0\\] \\(id "deep-1"\\) nests deeper than ${MAX_JSON_DEPTH} levels`),
      );
      expect(store.counts()).toEqual({ storedEvents: 0, executions: 0 });
    });

    it('refuses a too deep event of no execution too', async () => {
      const store = openStore();
      await expect(importFromText(store, documentWithDeepEvent(nested(MAX_JSON_DEPTH), 'otherEvents'))).rejects.toThrow(
        /otherEvents\[1\] \(id "deep-1"\) nests deeper than/,
      );
      expect(store.counts()).toEqual({ storedEvents: 0, executions: 0 });
    });

    it('imports an event exactly as deep as the receiver accepts', async () => {
      const store = openStore();
      // the event object itself is one level, data.deepData the rest
      const result = await importFromText(store, documentWithDeepEvent(nested(MAX_JSON_DEPTH - 1), 'execution'));
      expect(result).toMatchObject({ inserted: 1_101, rejected: 0 });
    });
  });
});

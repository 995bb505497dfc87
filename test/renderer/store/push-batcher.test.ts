// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import { PushBatcher, type PushBatch } from '../../../src/renderer/src/store/push-batcher.js';
import { makeStats, makeSummary } from '../fixtures.js';

function setup() {
  const frames: (() => void)[] = [];
  const batches: PushBatch[] = [];
  const batcher = new PushBatcher((callback) => frames.push(callback), (batch) => batches.push(batch));
  const runFrames = () => {
    for (const frame of frames.splice(0)) frame();
  };
  return { batcher, frames, batches, runFrames };
}

describe('PushBatcher', () => {
  it('merges everything pushed before a frame into one batch, latest version per execution', () => {
    const { batcher, frames, batches, runFrames } = setup();
    batcher.add('executions.changed', { executions: [makeSummary({ executionSid: 'FN1', eventCount: 1 })] });
    batcher.add('executions.changed', { executions: [makeSummary({ executionSid: 'FN1', eventCount: 2 }), makeSummary({ executionSid: 'FN2' })] });
    batcher.add('stats.changed', makeStats({ receivedEvents: 1 }));
    batcher.add('stats.changed', makeStats({ receivedEvents: 2 }));
    expect(frames).toHaveLength(1);
    expect(batches).toHaveLength(0);
    runFrames();
    expect(batches).toHaveLength(1);
    expect(batches[0]?.executions.map((e) => [e.executionSid, e.eventCount])).toEqual([
      ['FN1', 2],
      ['FN2', 4],
    ]);
    expect(batches[0]?.stats?.receivedEvents).toBe(2);
  });

  it('drops what came before a store.reset, keeps what came after', () => {
    const { batcher, batches, runFrames } = setup();
    batcher.add('executions.changed', { executions: [makeSummary({ executionSid: 'FN-old' })] });
    batcher.add('store.reset', {});
    batcher.add('executions.changed', { executions: [makeSummary({ executionSid: 'FN-new' })] });
    runFrames();
    expect(batches[0]?.reset).toBe(true);
    expect(batches[0]?.executions.map((e) => e.executionSid)).toEqual(['FN-new']);
  });

  it('holds batches while a snapshot is in flight and flushes after release', () => {
    const { batcher, frames, batches, runFrames } = setup();
    batcher.hold();
    batcher.add('flows.changed', { flows: [{ flowSid: 'FW1', active: 1, ended: 0, failed: 0, total: 1, lastEventAt: null }] });
    runFrames();
    expect(batches).toHaveLength(0);
    batcher.release();
    expect(frames).toHaveLength(1);
    runFrames();
    expect(batches[0]?.flows.map((f) => f.flowSid)).toEqual(['FW1']);
  });

  it('ignores payloads of the wrong shape', () => {
    const { batcher, frames } = setup();
    batcher.add('executions.changed', { executions: 'nope' });
    batcher.add('flows.changed', null);
    expect(frames).toHaveLength(0);
  });
});

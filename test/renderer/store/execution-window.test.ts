// @vitest-environment jsdom
import { describe, expect, it } from 'vitest';
import type { ExecutionSummary } from '../../../src/shared/execution-model.js';
import { ExecutionWindow, MAX_LOADED_PAGES, PAGE_SIZE, type PageRequest } from '../../../src/renderer/src/store/execution-window.js';
import { iso, makeSummary, sidOf } from '../fixtures.js';

/** Row i of a 1,000-row store, newest first. */
const row = (i: number, extra: Partial<ExecutionSummary> = {}) =>
  makeSummary({ executionSid: sidOf('FN', 1_000 - i), startedAt: iso((1_000 - i) * 1_000), ...extra });

function answer(window: ExecutionWindow, request: PageRequest, total = 1_000, rowOf = row) {
  const items: ExecutionSummary[] = [];
  for (let i = request.offset; i < Math.min(total, request.offset + request.limit); i += 1) items.push(rowOf(i));
  return window.applyPage(request, { items, total, offset: request.offset });
}

function loadFirstPage(window: ExecutionWindow): void {
  const [request] = window.pagesToFetch();
  if (request === undefined) throw new Error('no request');
  answer(window, request);
}

describe('ExecutionWindow', () => {
  it('asks for page 0 first, then only for the visible pages it lacks', () => {
    const window = new ExecutionWindow();
    const first = window.pagesToFetch();
    expect(first.map((r) => r.offset)).toEqual([0]);
    expect(window.pagesToFetch()).toEqual([]); // in flight
    answer(window, first[0]!);
    expect(window.total).toBe(1_000);
    expect(window.rowAt(0)?.executionSid).toBe(row(0).executionSid);
    expect(window.rowAt(PAGE_SIZE)).toBeUndefined();

    window.setVisible(0, 30);
    expect(window.pagesToFetch()).toEqual([]);
    window.setVisible(195, 230);
    expect(window.pagesToFetch().map((r) => r.offset)).toEqual([100, 200]);
  });

  it('drops an answer for an earlier filter', () => {
    const window = new ExecutionWindow();
    const [request] = window.pagesToFetch();
    window.reset();
    expect(answer(window, request!)).toBe(false);
    expect(window.total).toBeNull();
  });

  it('updates rows in place, inserts newer executions at the top, removes ones leaving the filter', () => {
    const window = new ExecutionWindow();
    loadFirstPage(window);
    const filter = { status: ['active' as const, 'ended' as const] };

    const updated = window.applyChanges([row(3, { lastWidget: 'new_widget', eventCount: 9 })], filter);
    expect(updated).toEqual({ structural: false, needsRefresh: false });
    expect(window.rowAt(3)?.lastWidget).toBe('new_widget');

    const newest = makeSummary({ executionSid: sidOf('FN', 5_000), startedAt: iso(5_000_000) });
    expect(window.applyChanges([newest], filter).structural).toBe(true);
    expect(window.rowAt(0)?.executionSid).toBe(newest.executionSid);
    expect(window.total).toBe(1_001);
    expect(window.topInserts).toBe(1);

    const failed = row(3, { status: 'failed', eventCount: 10 }); // now at index 4
    expect(window.applyChanges([failed], filter).structural).toBe(true);
    expect(window.total).toBe(1_000);
    expect(window.indexOf(failed.executionSid)).toBe(-1);
    expect(window.summaries.has(failed.executionSid)).toBe(false);

    // an older version never overwrites a newer one
    window.applyChanges([row(5, { lastWidget: 'stale', eventCount: 1 })], filter);
    expect(window.rowAt(5)?.lastWidget).not.toBe('stale');
  });

  it('asks for a refresh when a change belongs somewhere it cannot place', () => {
    const window = new ExecutionWindow();
    loadFirstPage(window);
    // an old execution far down (never loaded) got a late step
    const deep = row(700, { eventCount: 12 });
    expect(window.applyChanges([deep], {})).toEqual({ structural: false, needsRefresh: true });
    expect(window.total).toBe(1_000);
    expect(window.summaries.has(deep.executionSid)).toBe(false);
  });

  it('shifts a page answer by the rows inserted at the top while it was in flight', () => {
    const window = new ExecutionWindow();
    loadFirstPage(window);
    window.setVisible(100, 130);
    const [request] = window.pagesToFetch();
    const newest = makeSummary({ executionSid: sidOf('FN', 5_000), startedAt: iso(5_000_000) });
    window.applyChanges([newest], {});
    answer(window, request!); // the core answered as of before the insert
    expect(window.total).toBe(1_001);
    expect(window.rowAt(101)?.executionSid).toBe(row(100).executionSid);
    expect(window.rowAt(100)?.executionSid).toBe(row(99).executionSid);
  });

  it('keeps at most MAX_LOADED_PAGES pages of summaries in memory', () => {
    const window = new ExecutionWindow();
    const total = 100_000;
    const big = (i: number) => makeSummary({ executionSid: sidOf('FN', total - i), startedAt: iso((total - i) * 1_000) });
    for (let page = 0; page < MAX_LOADED_PAGES + 20; page += 1) {
      window.setVisible(page * PAGE_SIZE, page * PAGE_SIZE + 20);
      for (const request of window.pagesToFetch()) answer(window, request, total, big);
    }
    expect(window.summaries.size).toBeLessThanOrEqual(MAX_LOADED_PAGES * PAGE_SIZE);
    expect(window.rowAt((MAX_LOADED_PAGES + 19) * PAGE_SIZE)).toBeDefined(); // near the viewport: kept
    expect(window.rowAt(0)).toBeUndefined(); // far away: evicted, refetched if scrolled back to
    window.setVisible(0, 20);
    expect(window.pagesToFetch().map((r) => r.offset)).toEqual([0]);
  });
});

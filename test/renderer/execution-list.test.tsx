// @vitest-environment jsdom
import './dom-layout.js';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandParams } from '../../src/shared/contract.js';
import { scrollListTo } from './dom-layout.js';
import { FakeTransport } from './fake-transport.js';
import { iso, makeStats, makeSummary, sidOf } from './fixtures.js';
import { MAX_HELD_CHANGES } from '../../src/renderer/src/store/app.js';
import { renderApp, settle } from './render-app.js';

afterEach(cleanup);

function rowOf(sid: string): HTMLElement {
  const row = document.querySelector<HTMLElement>(`[data-sid="${sid}"]`);
  if (row === null) throw new Error(`no row for ${sid}`);
  return row;
}

const listCount = () => document.querySelector('.pane-count')?.textContent;

function listCalls(transport: FakeTransport): CommandParams<'executions.list'>[] {
  return transport.callsOf('executions.list') as CommandParams<'executions.list'>[];
}

const A = sidOf('FN', 1);
const B = sidOf('FN', 2);
const C = sidOf('FN', 3);

function threeExecutions(transport: FakeTransport): void {
  transport.executions = [
    makeSummary({ executionSid: A, startedAt: iso(0), contact: '+15550000001', lastWidget: 'say_goodbye' }),
    makeSummary({
      executionSid: B,
      startedAt: iso(10_000),
      status: 'active',
      endedAt: null,
      durationMs: null,
      contact: 'whatsapp:+15550000002',
      currentWidget: 'gather_input',
    }),
    makeSummary({ executionSid: C, startedAt: iso(20_000), status: 'failed', endedReason: 'ERROR', contact: '+15550000003' }),
  ];
}

describe('execution list', () => {
  it('renders the executions the transport returns, newest first, with status, contact and widget', async () => {
    const transport = new FakeTransport();
    threeExecutions(transport);
    await renderApp(transport);

    const rows = [...document.querySelectorAll<HTMLElement>('.exec-scroll [data-sid]')];
    expect(rows.map((row) => row.dataset.sid)).toEqual([C, B, A]);
    expect(within(rowOf(B)).getByText('active')).toBeTruthy();
    expect(within(rowOf(B)).getByText('whatsapp:+15550000002')).toBeTruthy();
    expect(within(rowOf(B)).getByText('gather_input')).toBeTruthy(); // current widget while active
    expect(within(rowOf(A)).getByText('say_goodbye')).toBeTruthy(); // last widget once ended
    expect(within(rowOf(C)).getByText('failed')).toBeTruthy();
    expect(listCount()).toBe('3');
  });

  it('applies a pushed executions.changed on the next animation frame, not before', async () => {
    const transport = new FakeTransport();
    threeExecutions(transport);
    const { frames } = await renderApp(transport);

    const ended = makeSummary({ executionSid: B, startedAt: iso(10_000), status: 'ended', lastWidget: 'send_reply', eventCount: 9 });
    transport.push('executions.changed', { executions: [ended] });
    transport.push('executions.changed', { executions: [{ ...ended, lastWidget: 'send_final', eventCount: 10 }] });
    await settle();
    expect(within(rowOf(B)).getByText('active')).toBeTruthy();
    expect(frames.size).toBe(1); // two pushes, one frame

    await frames.run();
    expect(within(rowOf(B)).getByText('ended')).toBeTruthy();
    expect(within(rowOf(B)).getByText('send_final')).toBeTruthy();
  });

  it('puts a new execution at the top of the list', async () => {
    const transport = new FakeTransport();
    threeExecutions(transport);
    const { frames } = await renderApp(transport);

    const D = sidOf('FN', 4);
    transport.push('executions.changed', {
      executions: [makeSummary({ executionSid: D, startedAt: iso(30_000), status: 'active', currentWidget: 'trigger' })],
    });
    await frames.run();
    const rows = [...document.querySelectorAll<HTMLElement>('.exec-scroll [data-sid]')];
    expect(rows.map((row) => row.dataset.sid)).toEqual([D, C, B, A]);
    expect(listCount()).toBe('4');
  });

  it('pause holds deltas aside and counts them; resume applies them', async () => {
    const transport = new FakeTransport();
    threeExecutions(transport);
    const { frames } = await renderApp(transport);

    fireEvent.click(screen.getByRole('button', { name: /pause/i }));
    transport.push('executions.changed', {
      executions: [
        makeSummary({ executionSid: B, startedAt: iso(10_000), status: 'ended', eventCount: 9 }),
        makeSummary({ executionSid: A, startedAt: iso(0), contact: '+15559999999', eventCount: 9 }),
      ],
    });
    transport.push('executions.changed', {
      executions: [makeSummary({ executionSid: B, startedAt: iso(10_000), status: 'failed', eventCount: 10 })],
    });
    await frames.run();

    expect(within(rowOf(B)).getByText('active')).toBeTruthy();
    expect(screen.getByLabelText('2 changes waiting')).toBeTruthy(); // two executions changed

    fireEvent.click(screen.getByRole('button', { name: /resume/i }));
    await settle();
    expect(within(rowOf(B)).getByText('failed')).toBeTruthy();
    expect(within(rowOf(A)).getByText('+15559999999')).toBeTruthy();
    expect(screen.getByRole('button', { name: /pause/i })).toBeTruthy();
  });

  it('counts but does not keep an unbounded number of changes while paused; resume then refetches', async () => {
    const transport = new FakeTransport();
    threeExecutions(transport);
    const { frames } = await renderApp(transport);
    fireEvent.click(screen.getByRole('button', { name: /pause/i }));

    const many = Array.from({ length: MAX_HELD_CHANGES + 1 }, (_, i) =>
      makeSummary({ executionSid: sidOf('FX', i), startedAt: iso(100_000 + i) }),
    );
    transport.push('executions.changed', { executions: many });
    transport.push('executions.changed', { executions: [makeSummary({ executionSid: B, startedAt: iso(10_000), eventCount: 50 })] });
    await frames.run();
    expect(screen.getByLabelText(`${MAX_HELD_CHANGES + 2} changes waiting`)).toBeTruthy();

    const listCallsBefore = listCalls(transport).length;
    transport.executions = [...transport.executions, ...many.slice(0, 5)];
    fireEvent.click(screen.getByRole('button', { name: /resume/i }));
    await settle();
    expect(listCalls(transport).length).toBeGreaterThan(listCallsBefore);
    expect(listCount()).toBe('8'); // the refetched total
  });

  it('handles 100,000 executions by fetching only the pages on screen', async () => {
    const transport = new FakeTransport();
    const total = 100_000;
    transport.virtualList = {
      total,
      row: (i) => makeSummary({ executionSid: sidOf('FN', total - i), startedAt: iso((total - i) * 1_000), contact: `row-${i}` }),
    };
    transport.handle('stats.get', () => makeStats({ executions: total, storedEvents: 400_000 }));
    await renderApp(transport);

    expect(listCalls(transport).map((call) => call.offset)).toEqual([0]);
    const rendered = document.querySelectorAll('.exec-scroll [role="row"]').length;
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThan(60); // a screenful plus overscan, not 100,000
    expect(screen.getByText('row-0')).toBeTruthy();
    expect(listCount()).toBe('100,000');

    // jump to the middle, as dragging the scrollbar would
    const scroller = document.querySelector('.exec-scroll');
    if (scroller === null) throw new Error('no list');
    scrollListTo(scroller, 50_000 * 26);
    await settle();
    expect(listCalls(transport).map((call) => call.offset)).toEqual([0, 49_900, 50_000]);
    expect(screen.getByText('row-50000')).toBeTruthy();
    expect(document.querySelectorAll('.exec-scroll [role="row"]').length).toBeLessThan(60);
  });

  it('moves the cursor with the arrow keys and opens with Enter', async () => {
    const transport = new FakeTransport();
    threeExecutions(transport);
    await renderApp(transport);

    const grid = screen.getByRole('grid', { name: 'Executions' });
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    fireEvent.keyDown(grid, { key: 'ArrowDown' });
    expect(rowOf(B).classList.contains('is-cursor')).toBe(true);
    fireEvent.keyDown(grid, { key: 'Enter' });
    await settle();
    expect(rowOf(B).getAttribute('aria-selected')).toBe('true');
    expect(transport.callsOf('executions.get')).toEqual([{ executionSid: B }]);
  });
});

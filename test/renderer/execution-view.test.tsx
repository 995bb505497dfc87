// @vitest-environment jsdom
import './dom-layout.js';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEventRecord } from '../../src/shared/contract.js';
import type { ExecutionTree } from '../../src/shared/execution-model.js';
import { FakeTransport } from './fake-transport.js';
import { iso, makeStep, makeSummary, sidOf, stepEvent } from './fixtures.js';
import { renderApp, settle } from './render-app.js';

afterEach(cleanup);

const EXEC = sidOf('FN', 7);
const XSS = '<img src=x onerror=alert(1)>';

/** trigger -> run_subflow (2 nested steps) -> wait for an SMS reply 2 hours -> say_goodbye */
function scenario(status: 'active' | 'ended') {
  const child1 = makeStep({ stepSid: 'FT-c1', widget: 'sub_lookup', parentStepSid: 'FT-2', sinceStartMs: 1_500, durationMs: 500 });
  const child2 = makeStep({ stepSid: 'FT-c2', widget: 'sub_return', parentStepSid: 'FT-2', sinceStartMs: 2_200, durationMs: 700 });
  const steps = [
    makeStep({ stepSid: 'FT-1', widget: 'trigger', name: 'incomingMessage', transitionedTo: 'run_subflow', sinceStartMs: 1_000, durationMs: 1_000 }),
    makeStep({ stepSid: 'FT-2', widget: 'run_subflow', name: 'completed', transitionedTo: 'ask_reply', sinceStartMs: 3_000, durationMs: 2_000, children: [child1, child2] }),
    makeStep({ stepSid: 'FT-3', widget: 'ask_reply', name: 'incomingMessage', transitionedTo: 'say_goodbye', sinceStartMs: 7_203_000, durationMs: 7_200_000 }),
    makeStep({ stepSid: 'FT-4', widget: 'say_goodbye', name: 'sent', transitionedTo: 'Ended', sinceStartMs: 7_204_000, durationMs: 1_000 }),
  ];
  const summary = makeSummary({
    executionSid: EXEC,
    status,
    contact: XSS,
    stepCount: 6,
    currentWidget: status === 'active' ? 'ask_reply' : null,
    endedAt: status === 'active' ? null : iso(7_204_000),
    durationMs: status === 'active' ? null : 7_204_000,
  });
  const tree: ExecutionTree = { summary, steps };
  const events: StoredEventRecord[] = [
    stepEvent(steps[0]!, { contact_channel_address: XSS, note: XSS }),
    ...[steps[1]!, child1, child2, steps[2]!, steps[3]!].map((step) => stepEvent(step)),
    {
      id: 'ev-started',
      type: 'com.twilio.studio.flow.execution.started',
      kind: 'execution.started',
      time: iso(0),
      receivedAt: iso(0),
      event: { specversion: '1.0', id: 'ev-started', type: 'com.twilio.studio.flow.execution.started', data: { execution_sid: EXEC } },
    },
  ];
  return { summary, tree, events };
}

async function openExecution(): Promise<void> {
  const row = document.querySelector<HTMLElement>(`[data-sid="${EXEC}"]`);
  if (row === null) throw new Error('row missing');
  fireEvent.click(row);
  await settle();
}

describe('execution view', () => {
  it('shows a hint until an execution is selected', async () => {
    await renderApp(new FakeTransport());
    expect(screen.getByText('No execution selected')).toBeTruthy();
  });

  it('shows the step tree with subflow steps nested under their parent and a WAIT marker', async () => {
    const transport = new FakeTransport();
    const { summary, tree, events } = scenario('ended');
    transport.executions = [summary];
    transport.handle('executions.get', () => ({ tree, events }));
    await renderApp(transport);
    await openExecution();

    const steps = screen.getByRole('tree', { name: 'Steps' });
    const top = within(steps).getAllByRole('treeitem').filter((item) => item.getAttribute('aria-level') === '1');
    expect(top.map((item) => item.querySelector('.widget-name')?.textContent)).toEqual([
      'trigger',
      'run_subflow',
      'ask_reply',
      'say_goodbye',
    ]);
    const parent = top[1]!;
    const nested = within(parent).getAllByRole('treeitem');
    expect(nested.map((item) => [item.getAttribute('aria-level'), item.querySelector('.widget-name')?.textContent])).toEqual([
      ['2', 'sub_lookup'],
      ['2', 'sub_return'],
    ]);
    expect(within(parent).getByText('subflow · 2')).toBeTruthy();

    // the two-hour wait is a marker, and does not squeeze the other bars
    const wait = within(top[2]!).getByText(/^WAIT/);
    expect(wait.textContent).toBe('WAIT 2h 00m');
    expect(within(top[0]!).queryByText(/^WAIT/)).toBeNull();
    const bar = top[1]!.querySelector<HTMLElement>('.step-row .bar');
    expect(bar?.style.width).toBe('100%'); // the longest non-wait step (2 s) fills the column
    expect(within(top[2]!).getByText('+2:00:03')).toBeTruthy();

    // collapse and expand the subflow
    fireEvent.click(within(parent).getByRole('button', { name: 'Collapse subflow steps' }));
    expect(within(parent).queryByText('sub_lookup')).toBeNull();
    fireEvent.click(within(parent).getByRole('button', { name: 'Expand subflow steps' }));
    expect(within(parent).getByText('sub_lookup')).toBeTruthy();

    // header
    expect(screen.getByRole('button', { name: 'Copy execution SID' })).toBeTruthy();
    expect(screen.getByText('FLOW_END')).toBeTruthy();
  });

  it('shows raw event JSON as text: markup in untrusted fields never becomes elements', async () => {
    const transport = new FakeTransport();
    const { summary, tree, events } = scenario('ended');
    transport.executions = [summary];
    transport.handle('executions.get', () => ({ tree, events }));
    await renderApp(transport);
    await openExecution();

    fireEvent.click(screen.getByText('trigger'));
    const pre = document.querySelector('.step-detail pre.raw-json');
    expect(pre?.textContent).toContain(`"contact_channel_address": "${XSS}"`);
    expect(pre?.textContent).toContain('"step_sid": "FT-1"');
    expect(document.querySelector('img')).toBeNull();
    // the contact in the list row and in the header is text too
    expect(screen.getAllByText(XSS).length).toBeGreaterThanOrEqual(2);
    expect(document.querySelector('img')).toBeNull();

    // the raw events tab lists every event, started included
    fireEvent.click(screen.getByRole('tab', { name: /Raw events/ }));
    const list = screen.getByRole('list', { name: 'Raw events' });
    expect(within(list).getByText('execution.started')).toBeTruthy();
    fireEvent.click(within(list).getByText('ev-started'));
    expect(list.querySelector('pre')?.textContent).toContain('"type": "com.twilio.studio.flow.execution.started"');
  });

  it('shows where an active execution waits, and refetches when its summary changes', async () => {
    const transport = new FakeTransport();
    const active = scenario('active');
    transport.executions = [active.summary];
    let served: 'active' | 'ended' = 'active';
    transport.handle('executions.get', () => {
      const { tree, events } = scenario(served);
      return { tree, events };
    });
    const { frames } = await renderApp(transport);
    await openExecution();

    expect(document.querySelector('.step-live')?.textContent).toMatch(/waiting in ask_reply for \d/);

    served = 'ended';
    const ended = { ...scenario('ended').summary, eventCount: 99 };
    transport.push('executions.changed', { executions: [ended] });
    await frames.run();
    expect(transport.callsOf('executions.get')).toHaveLength(2);
    expect(screen.queryByText(/waiting in/)).toBeNull();
    expect(screen.getByText(/Ended \(FLOW_END\) after 2h 00m/)).toBeTruthy();
  });
});

// @vitest-environment jsdom
import './dom-layout.js';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandParams } from '../../src/shared/contract.js';
import { FakeTransport } from './fake-transport.js';
import { iso, makeSummary, sidOf } from './fixtures.js';
import { renderApp, settle } from './render-app.js';

afterEach(cleanup);

const FLOW_A = sidOf('FW', 10);
const FLOW_B = sidOf('FW', 11);

function seeded(): FakeTransport {
  const transport = new FakeTransport();
  transport.executions = [
    makeSummary({ executionSid: sidOf('FN', 1), flowSid: FLOW_A, startedAt: iso(0), contact: '+15550000001', status: 'ended' }),
    makeSummary({ executionSid: sidOf('FN', 2), flowSid: FLOW_B, startedAt: iso(1_000), contact: '+15550000002', status: 'failed' }),
    makeSummary({ executionSid: sidOf('FN', 3), flowSid: FLOW_A, startedAt: iso(2_000), contact: 'client:alice', status: 'active' }),
  ];
  transport.handle('flows.list', () => [
    { flowSid: FLOW_A, active: 1, ended: 1, failed: 0, total: 2, lastEventAt: iso(2_000) },
    { flowSid: FLOW_B, active: 0, ended: 0, failed: 1, total: 1, lastEventAt: iso(1_000) },
  ]);
  return transport;
}

function lastListFilter(transport: FakeTransport) {
  const calls = transport.callsOf('executions.list') as CommandParams<'executions.list'>[];
  return calls[calls.length - 1]?.filter;
}

const visibleSids = () => [...document.querySelectorAll<HTMLElement>('.exec-scroll [data-sid]')].map((row) => row.dataset.sid);

describe('filters', () => {
  it('sends a status toggle to executions.list and shows what the core returned', async () => {
    const transport = seeded();
    await renderApp(transport);
    expect(lastListFilter(transport)).toEqual({});

    fireEvent.click(screen.getByRole('button', { name: 'ended' }));
    await settle();
    expect(lastListFilter(transport)).toEqual({ status: ['active', 'failed'] });
    expect(visibleSids()).toEqual([sidOf('FN', 3), sidOf('FN', 2)]);
  });

  it('debounces the text search and sends only the final text', async () => {
    const transport = seeded();
    await renderApp(transport);
    const before = transport.callsOf('executions.list').length;

    const search = screen.getByRole('searchbox', { name: 'Search executions' });
    fireEvent.change(search, { target: { value: 'cli' } });
    fireEvent.change(search, { target: { value: 'client:al' } });
    await waitFor(() => expect(lastListFilter(transport)).toEqual({ text: 'client:al' }));
    expect(transport.callsOf('executions.list').length).toBe(before + 1);
    expect(visibleSids()).toEqual([sidOf('FN', 3)]);
  });

  it('filters by flow from the sidebar, with live counts per flow', async () => {
    const transport = seeded();
    const { frames } = await renderApp(transport);

    const sidebar = screen.getByRole('navigation', { name: 'Flows' });
    const flowB = [...sidebar.querySelectorAll('button')].find((b) => b.textContent?.includes(FLOW_B));
    if (flowB === undefined) throw new Error('flow B missing');
    expect(flowB.querySelector('.count-failed')?.textContent).toBe('1');
    fireEvent.click(flowB);
    await settle();
    expect(lastListFilter(transport)).toEqual({ flowSid: FLOW_B });
    expect(visibleSids()).toEqual([sidOf('FN', 2)]);

    transport.push('flows.changed', { flows: [{ flowSid: FLOW_B, active: 0, ended: 0, failed: 2, total: 2, lastEventAt: iso(5_000) }] });
    await frames.run();
    expect(flowB.querySelector('.count-failed')?.textContent).toBe('2');
  });

  it('sends a quick time range as an absolute since', async () => {
    const transport = seeded();
    await renderApp(transport);
    fireEvent.change(screen.getByRole('combobox', { name: 'Time range' }), { target: { value: 'last:15' } });
    await settle();
    const since = lastListFilter(transport)?.since;
    expect(typeof since).toBe('string');
    expect(Number.isNaN(Date.parse(since ?? ''))).toBe(false);
  });

  it('says when a filter matches nothing, and clears it', async () => {
    const transport = seeded();
    await renderApp(transport);
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search executions' }), { target: { value: 'nobody' } });
    await waitFor(() => expect(screen.getByText('No executions match these filters')).toBeTruthy());

    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await settle();
    expect(lastListFilter(transport)).toEqual({});
    expect(visibleSids()).toHaveLength(3);
    expect((screen.getByRole('searchbox', { name: 'Search executions' }) as HTMLInputElement).value).toBe('');
  });

  it('tells a new user what to do when there are no events at all', async () => {
    await renderApp(new FakeTransport());
    expect(screen.getByText('No events yet')).toBeTruthy();
    expect(screen.getByText('npm run demo')).toBeTruthy();
    expect(screen.getAllByText('http://127.0.0.1:4040/events').length).toBeGreaterThan(0);
  });
});

// @vitest-environment jsdom
import './dom-layout.js';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeTransport } from './fake-transport.js';
import { makeReceiver, makeStats } from './fixtures.js';
import { renderApp, settle } from './render-app.js';

afterEach(cleanup);

const counter = (label: string) => document.querySelector(`[data-counter="${label}"] .counter-value`)?.textContent;

describe('status bar', () => {
  it('shows the receiver URL and the event counters, and follows stats pushes', async () => {
    const transport = new FakeTransport();
    transport.handle('receiver.info', () => makeReceiver({ publicUrl: 'https://abc.ngrok-free.app/events', verifying: true }));
    transport.handle('stats.get', () =>
      makeStats({ receivedEvents: 1234, eventsPerSecond: 3.5, duplicatesIgnored: 7, rejectedEvents: 2, unverifiedRequests: 1, storedEvents: 5000 }),
    );
    const { frames } = await renderApp(transport);

    const bar = screen.getByRole('contentinfo');
    expect(within(bar).getByText('https://abc.ngrok-free.app/events')).toBeTruthy();
    expect(counter('Received')).toBe('1,234');
    expect(counter('Events/s')).toBe('3.5');
    expect(counter('Duplicates')).toBe('7');
    expect(within(bar).getByRole('button', { name: /Rejected/ }).textContent).toBe('Rejected 2');
    expect(within(bar).getByRole('button', { name: /Unverified/ }).textContent).toBe('Unverified 1');
    expect(within(bar).getByText('Connected')).toBeTruthy();

    transport.push('stats.changed', makeStats({ receivedEvents: 1300, eventsPerSecond: 12, duplicatesIgnored: 9, rejectedEvents: 3 }));
    await frames.run();
    expect(counter('Received')).toBe('1,300');
    expect(counter('Events/s')).toBe('12');
    expect(within(bar).getByRole('button', { name: /Rejected/ }).textContent).toBe('Rejected 3');
  });

  it('lists why events were rejected, as text', async () => {
    const transport = new FakeTransport();
    transport.handle('stats.get', () => makeStats({ rejectedEvents: 1 }));
    transport.handle('rejected.list', () => [
      { id: 1, receivedAt: '2025-03-04T10:00:00.000Z', eventId: 'ev-bad', reason: 'data.execution_sid: Required', raw: '{"x":"<img src=x onerror=alert(1)>"}' },
    ]);
    transport.handle('unverified.list', () => [
      { receivedAt: '2025-03-04T10:00:01.000Z', remoteAddress: '203.0.113.9', reason: 'X-Twilio-Signature does not match' },
    ]);
    await renderApp(transport);

    fireEvent.click(screen.getByRole('button', { name: /Rejected/ }));
    await settle();
    const panel = screen.getByRole('dialog', { name: 'Rejected events' });
    expect(within(panel).getByText('data.execution_sid: Required')).toBeTruthy();
    expect(within(panel).getByText('{"x":"<img src=x onerror=alert(1)>"}')).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
    expect(transport.callsOf('rejected.list')).toEqual([{ limit: 200 }]);

    fireEvent.click(within(panel).getByRole('button', { name: 'Close' }));
    fireEvent.click(screen.getByRole('button', { name: /Unverified/ }));
    await settle();
    const unverified = screen.getByRole('dialog', { name: 'Unverified requests' });
    expect(within(unverified).getByText('X-Twilio-Signature does not match')).toBeTruthy();
  });

  it('shows the connection state and refetches a snapshot after reconnecting', async () => {
    const transport = new FakeTransport('websocket');
    transport.handle('stats.get', () => makeStats({ receivedEvents: 1 }));
    await renderApp(transport);
    expect(screen.getByText('Connecting…')).toBeTruthy();

    transport.setConnection('open');
    await settle();
    expect(screen.getByText('Connected')).toBeTruthy();
    const before = transport.callsOf('stats.get').length;

    transport.setConnection('closed');
    await settle();
    expect(screen.getByText('Disconnected — reconnecting')).toBeTruthy();

    transport.handle('stats.get', () => makeStats({ receivedEvents: 42 }));
    transport.setConnection('connecting');
    transport.setConnection('open');
    await settle();
    expect(transport.callsOf('stats.get').length).toBe(before + 1);
    expect(transport.callsOf('flows.list').length).toBe(2);
    expect(counter('Received')).toBe('42');
  });
});

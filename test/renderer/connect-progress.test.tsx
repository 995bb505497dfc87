// @vitest-environment jsdom
// The Connect panel over a FakeTransport that plays the core: progress from pushed
// connection.changed events, the connected state in the toolbar and the status bar, a failure
// with what was undone, Disconnect, and receiver.info fetched again when the connection changes.
import './dom-layout.js';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionStatus } from '../../src/shared/contract.js';
import { parseBridgeMessage } from '../../src/renderer/src/transport/bridge-messages.js';
import { FakeTransport } from './fake-transport.js';
import { makeReceiver } from './fixtures.js';
import { renderApp, settle } from './render-app.js';
import { ACCOUNT_SID, AUTH_TOKEN, connectedStatus, connectedSteps, makeSettings, makeStatus, SINK_SID, step, TUNNEL_URL } from './connect-fixtures.js';

afterEach(cleanup);

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

function connectionTransport(status: ConnectionStatus = makeStatus()): FakeTransport {
  const transport = new FakeTransport();
  transport.handle('connection.get', () => status);
  transport.handle('settings.get', () => makeSettings({ accountSid: ACCOUNT_SID }));
  return transport;
}

const stepState = (name: string) => document.querySelector(`.connect-step[data-step="${name}"]`)?.getAttribute('data-state');
const stepText = (name: string) => document.querySelector(`.connect-step[data-step="${name}"] .step-message`)?.textContent;
const statusBar = () => screen.getByRole('contentinfo');

async function push(transport: FakeTransport, status: ConnectionStatus): Promise<void> {
  transport.push('connection.changed', status);
  await settle();
}

async function startConnect(transport: FakeTransport): Promise<HTMLElement> {
  fireEvent.click(screen.getByRole('button', { name: 'Connect Twilio' }));
  await settle();
  const panel = screen.getByRole('dialog', { name: 'Twilio connection' });
  fireEvent.change(within(panel).getByLabelText('Auth Token'), { target: { value: AUTH_TOKEN } });
  fireEvent.click(within(panel).getByRole('button', { name: 'Connect' }));
  await settle();
  expect(transport.callsOf('connection.connect')).toHaveLength(1);
  return panel;
}

describe('Connect progress', () => {
  it('shows each step as the pushes report it, then the connection in the panel, toolbar and status bar', async () => {
    const transport = connectionTransport();
    const result = deferred<ConnectionStatus>();
    transport.handle('connection.connect', () => result.promise);
    await renderApp(transport);
    expect(within(statusBar()).getByText('Twilio: not connected')).toBeTruthy();
    const panel = await startConnect(transport);

    await push(transport, makeStatus({ state: 'connecting', steps: [step('credentials', 'running', 'Checking the Twilio credentials')] }));
    expect(stepState('credentials')).toBe('running');
    expect(stepState('tunnel')).toBe('waiting');
    expect(screen.getByRole('button', { name: 'Connecting…' })).toBeTruthy();
    expect(within(statusBar()).getByText('Twilio: connecting — step 1/8: Check the credentials')).toBeTruthy();
    expect(within(panel).queryByRole('form', { name: 'Connect to Twilio' })).toBeNull(); // hidden while connecting

    const [credentials, receiver, tunnel] = connectedSteps();
    await push(transport, makeStatus({ state: 'connecting', steps: [credentials!, receiver!, step('tunnel', 'running', 'Opening the ngrok tunnel')] }));
    expect(stepState('credentials')).toBe('done');
    expect(stepText('credentials')).toBe(`Signed in to "Acme Support" (${ACCOUNT_SID})`);
    expect(stepState('tunnel')).toBe('running');
    expect(stepText('tunnel')).toBe('Opening the ngrok tunnel');
    expect(within(statusBar()).getByText('Twilio: connecting — step 3/8: Public URL')).toBeTruthy();

    await push(transport, makeStatus({ state: 'connecting', steps: [credentials!, receiver!, tunnel!] }));
    expect(stepState('tunnel')).toBe('done');

    const receiverCalls = transport.callsOf('receiver.info').length;
    transport.handle('receiver.info', () => makeReceiver({ publicUrl: `${TUNNEL_URL}/events`, verifying: true }));
    result.resolve(connectedStatus());
    await settle();

    for (const name of ['credentials', 'receiver', 'tunnel', 'verification', 'cleanup', 'sink', 'subscription', 'test']) expect(stepState(name)).toBe('done');
    expect(stepText('test')).toContain('round trip 412 ms');
    expect(within(panel).getByText(/^round trip 412 ms \(arrived/)).toBeTruthy();
    expect(within(panel).getByText(SINK_SID)).toBeTruthy();
    expect(within(panel).getByText('X-Twilio-Signature checked on every delivery')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Connected · Acme Support' })).toBeTruthy();
    expect(within(statusBar()).getByText(`Twilio: connected via ngrok ${TUNNEL_URL}`)).toBeTruthy();
    // the receiver now checks signatures against the public URL: the status bar shows it
    expect(transport.callsOf('receiver.info').length).toBeGreaterThan(receiverCalls);
    expect(within(statusBar()).getByText(`${TUNNEL_URL}/events`)).toBeTruthy();
    expect(within(panel).queryByRole('form', { name: 'Connect to Twilio' })).toBeNull();
  });

  it('shows a failure prominently: the step, the message with its code, what was undone, and the form again', async () => {
    const transport = connectionTransport();
    const steps = [
      ...connectedSteps().slice(0, 5),
      step('sink', 'failed', 'Twilio did not create the sink: Sink limit reached (error 20429)'),
      step('undo', 'done', 'Nothing left behind: closed the tunnel.'),
    ];
    const failed = makeStatus({
      state: 'failed',
      steps,
      error: { step: 'sink', code: '20429', message: 'Twilio did not create the sink: Sink limit reached (error 20429)' },
      warnings: ['Subaccounts are not included.'],
    });
    transport.handle('connection.connect', () => failed);
    await renderApp(transport);
    const panel = await startConnect(transport);

    const alert = within(panel).getByRole('alert', { name: 'Connect failed' });
    expect(within(alert).getByText('Connect failed at “Create the webhook sink”')).toBeTruthy();
    expect(alert.textContent).toContain('Sink limit reached (error 20429)');
    expect(alert.textContent).not.toContain('(20429)'); // the code is in the message already
    expect(alert.textContent).toContain('Undone: Nothing left behind: closed the tunnel.');
    expect(stepState('sink')).toBe('failed');
    expect(stepState('subscription')).toBeUndefined();
    expect(stepState('not-run')).toBe('skipped');
    expect(stepText('not-run')).toBe('Subscribe to Studio events · Test event round trip');
    expect(stepState('undo')).toBe('done');
    expect(within(panel).getByText('Subaccounts are not included.')).toBeTruthy();
    expect(within(statusBar()).getByText('Twilio: Connect failed at “Create the webhook sink”')).toBeTruthy();
    const form = within(panel).getByRole('form', { name: 'Connect to Twilio' });
    expect((within(form).getByLabelText('Account SID') as HTMLInputElement).value).toBe(ACCOUNT_SID);
    expect((within(form).getByLabelText('Auth Token') as HTMLInputElement).value).toBe('');
  });

  it('shows the error code when the message does not carry it (an ngrok failure)', async () => {
    const transport = connectionTransport();
    const message = 'ngrok refused the authtoken: it is invalid or was reset. Copy it again from dashboard.ngrok.com.';
    transport.handle('connection.connect', () =>
      makeStatus({
        state: 'failed',
        steps: [...connectedSteps().slice(0, 2), step('tunnel', 'failed', message)],
        error: { step: 'tunnel', code: 'ERR_NGROK_107', message },
      }),
    );
    await renderApp(transport);
    const panel = await startConnect(transport);
    const alert = within(panel).getByRole('alert', { name: 'Connect failed' });
    expect(within(alert).getByText('Connect failed at “Public URL”')).toBeTruthy();
    expect(alert.textContent).toContain(`${message} (ERR_NGROK_107)`);
    expect(alert.textContent).toContain('Nothing had been created yet, so nothing was left behind.');
  });

  it('says when the core refuses the command itself (e.g. a Connect already running)', async () => {
    const transport = connectionTransport();
    transport.fail('connection.connect', 'unavailable', 'A Connect is already in progress.');
    await renderApp(transport);
    const panel = await startConnect(transport);
    expect(within(panel).getByRole('alert').textContent).toBe('A Connect is already in progress.');
  });

  it('cancels a Connect in progress', async () => {
    const transport = connectionTransport();
    transport.handle('connection.connect', () => new Promise<ConnectionStatus>(() => undefined));
    transport.handle('connection.disconnect', () => makeStatus({ state: 'idle', steps: [step('credentials', 'failed', 'Cancelled.')] }));
    await renderApp(transport);
    const panel = await startConnect(transport);
    await push(transport, makeStatus({ state: 'connecting', steps: [step('credentials', 'running', 'Checking the Twilio credentials')] }));
    fireEvent.click(within(panel).getByRole('button', { name: 'Cancel' }));
    await settle();
    expect(transport.callsOf('connection.disconnect')).toEqual([{}]);
    expect(within(statusBar()).getByText('Twilio: not connected')).toBeTruthy();
    expect(within(panel).getByRole('form', { name: 'Connect to Twilio' })).toBeTruthy();
  });

  it('disconnects, and the toolbar and status bar say so', async () => {
    const transport = connectionTransport(connectedStatus());
    transport.handle('connection.disconnect', () => makeStatus({ state: 'idle' }));
    await renderApp(transport);
    expect(within(statusBar()).getByText(`Twilio: connected via ngrok ${TUNNEL_URL}`)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Connected · Acme Support' }));
    await settle();
    const panel = screen.getByRole('dialog', { name: 'Twilio connection' });
    const receiverCalls = transport.callsOf('receiver.info').length;
    fireEvent.click(within(panel).getByRole('button', { name: 'Disconnect' }));
    await settle();

    expect(transport.callsOf('connection.disconnect')).toEqual([{}]);
    expect(screen.getByRole('button', { name: 'Connect Twilio' })).toBeTruthy();
    expect(within(statusBar()).getByText('Twilio: not connected')).toBeTruthy();
    expect(transport.callsOf('receiver.info').length).toBeGreaterThan(receiverCalls);
    expect(within(panel).getByRole('form', { name: 'Connect to Twilio' })).toBeTruthy();
  });

  it('shows a tunnel that is reconnecting, and an own public URL', async () => {
    const transport = connectionTransport(
      connectedStatus({ tunnel: { provider: 'ngrok', state: 'reconnecting', url: null, message: 'connection lost', nextRetryAt: new Date(Date.now() + 8_400).toISOString() } }),
    );
    await renderApp(transport);
    expect(within(statusBar()).getByText(/^Twilio: tunnel reconnecting in \d+ s$/)).toBeTruthy();

    await push(transport, connectedStatus({ publicUrl: 'https://hooks.example.com', tunnel: { provider: 'static', state: 'online', url: 'https://hooks.example.com', message: null, nextRetryAt: null } }));
    expect(within(statusBar()).getByText('Twilio: connected via your public URL https://hooks.example.com')).toBeTruthy();
  });

  it('lets connection.changed through the WebSocket bridge parser', () => {
    const message = parseBridgeMessage(JSON.stringify({ kind: 'push', event: 'connection.changed', payload: makeStatus() }));
    expect(message).toMatchObject({ kind: 'push', event: 'connection.changed' });
  });
});

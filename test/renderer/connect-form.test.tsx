// @vitest-environment jsdom
// The Connect form over a FakeTransport: what connection.connect receives for each way of
// filling it in, the light client-side checks, and the secrets emptied once submitted.
import './dom-layout.js';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CommandParams } from '../../src/shared/contract.js';
import { FakeTransport } from './fake-transport.js';
import { renderApp, settle } from './render-app.js';
import { ACCOUNT_SID, API_KEY_SECRET, API_KEY_SID, AUTH_TOKEN, makeSettings, makeStatus, NGROK_TOKEN, STUDIO_TYPES } from './connect-fixtures.js';

afterEach(cleanup);

type ConnectParams = CommandParams<'connection.connect'>;

function connectionTransport(settings = makeSettings(), status = makeStatus()): FakeTransport {
  const transport = new FakeTransport();
  transport.handle('connection.get', () => status);
  transport.handle('settings.get', () => settings);
  transport.handle('settings.set', (change) => ({ ...settings, ...change }));
  transport.handle('connection.connect', () => makeStatus({ state: 'failed' }));
  return transport;
}

async function openPanel(): Promise<HTMLElement> {
  fireEvent.click(screen.getByRole('button', { name: 'Connect Twilio' }));
  await settle();
  return screen.getByRole('dialog', { name: 'Twilio connection' });
}

function type(panel: HTMLElement, label: string | RegExp, value: string): void {
  fireEvent.change(within(panel).getByLabelText(label), { target: { value } });
}

const input = (panel: HTMLElement, label: string | RegExp) => within(panel).getByLabelText(label) as HTMLInputElement;

async function submit(panel: HTMLElement): Promise<void> {
  fireEvent.click(within(panel).getByRole('button', { name: 'Connect' }));
  await settle();
}

describe('Connect form', () => {
  it('sends the typed Account SID, Auth Token and ngrok authtoken, omits empty fields, and empties the secret fields', async () => {
    const transport = connectionTransport();
    await renderApp(transport);
    const panel = await openPanel();
    type(panel, 'Account SID', `  ${ACCOUNT_SID} `);
    type(panel, 'Auth Token', AUTH_TOKEN);
    type(panel, 'ngrok authtoken', NGROK_TOKEN);
    expect(input(panel, 'Auth Token').type).toBe('password');
    expect(input(panel, 'ngrok authtoken').type).toBe('password');
    await submit(panel);

    expect(transport.callsOf('connection.connect')).toEqual([
      { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, ngrokAuthtoken: NGROK_TOKEN, remember: true, eventTypes: STUDIO_TYPES },
    ]);
    expect(transport.callsOf('settings.set')).toEqual([]);
    expect(input(panel, 'Auth Token').value).toBe('');
    expect(input(panel, 'ngrok authtoken').value).toBe('');
    // the non-secret fields stay for another try
    expect(input(panel, 'Account SID').value).toBe(`  ${ACCOUNT_SID} `);
    expect(document.body.innerHTML).not.toContain(AUTH_TOKEN);
    expect(document.body.innerHTML).not.toContain(NGROK_TOKEN);
  });

  it('sends the reserved domain, the unticked remember and a reduced set of event types', async () => {
    const transport = connectionTransport(makeSettings({ accountSid: ACCOUNT_SID }));
    await renderApp(transport);
    const panel = await openPanel();
    expect(input(panel, 'Account SID').value).toBe(ACCOUNT_SID); // remembered setting
    type(panel, 'Auth Token', AUTH_TOKEN);
    type(panel, 'Reserved domain (optional)', 'flowscope-dev.ngrok.app');
    fireEvent.click(within(panel).getByLabelText('Remember credentials'));
    fireEvent.click(within(panel).getByText('Advanced settings'));
    fireEvent.click(within(panel).getByLabelText(/Step ended/));
    await submit(panel);

    expect(transport.callsOf('connection.connect')).toEqual([
      {
        accountSid: ACCOUNT_SID,
        authToken: AUTH_TOKEN,
        ngrokDomain: 'flowscope-dev.ngrok.app',
        remember: false,
        eventTypes: ['com.twilio.studio.flow.execution.started', 'com.twilio.studio.flow.execution.ended'],
      },
    ]);
  });

  it('uses the own public URL instead of a tunnel', async () => {
    const transport = connectionTransport();
    await renderApp(transport);
    const panel = await openPanel();
    type(panel, 'Account SID', ACCOUNT_SID);
    type(panel, 'Auth Token', AUTH_TOKEN);
    type(panel, 'ngrok authtoken', NGROK_TOKEN);
    fireEvent.click(within(panel).getByLabelText('I have my own public URL'));
    type(panel, 'Public URL', 'https://hooks.example.com');
    await submit(panel);

    const [params] = transport.callsOf('connection.connect') as ConnectParams[];
    expect(params).toEqual({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, publicUrl: 'https://hooks.example.com', remember: true, eventTypes: STUDIO_TYPES });
  });

  it('sends an API key, with the Auth Token only when given, and explains what the token is for', async () => {
    const transport = connectionTransport();
    await renderApp(transport);
    const panel = await openPanel();
    fireEvent.click(within(panel).getByLabelText('Use an API key instead'));
    expect(within(panel).getByText(/Flowscope needs it to check X-Twilio-Signature/)).toBeTruthy();
    type(panel, 'Account SID', ACCOUNT_SID);
    type(panel, 'API Key SID', API_KEY_SID);
    type(panel, 'API Key secret', API_KEY_SECRET);
    type(panel, 'ngrok authtoken', NGROK_TOKEN);
    await submit(panel);

    expect(transport.callsOf('connection.connect')).toEqual([
      { accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID, apiKeySecret: API_KEY_SECRET, ngrokAuthtoken: NGROK_TOKEN, remember: true, eventTypes: STUDIO_TYPES },
    ]);
    expect(input(panel, 'API Key secret').value).toBe('');
  });

  it('clears a remembered API Key SID and domain the form no longer uses before connecting', async () => {
    const transport = connectionTransport(makeSettings({ accountSid: ACCOUNT_SID, apiKeySid: API_KEY_SID, tunnelDomain: 'old.ngrok.app' }));
    transport.handle('connection.get', () =>
      makeStatus({ secrets: { ...makeStatus().secrets, stored: { 'twilio.authToken': true, 'twilio.apiKeySecret': true, 'ngrok.authtoken': true } } }),
    );
    await renderApp(transport);
    const panel = await openPanel();
    expect((within(panel).getByLabelText('Use an API key instead') as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(panel).getByLabelText('Use an API key instead'));
    type(panel, 'Reserved domain (optional)', '');
    await submit(panel);

    expect(transport.callsOf('settings.set')).toEqual([{ apiKeySid: null, tunnelDomain: null }]);
    expect(transport.callsOf('connection.connect')).toEqual([{ accountSid: ACCOUNT_SID, remember: true, eventTypes: STUDIO_TYPES }]);
    const order = transport.calls.map((call) => call.command).filter((command) => command === 'settings.set' || command === 'connection.connect');
    expect(order).toEqual(['settings.set', 'connection.connect']);
  });

  it('names the fields that are wrong, without echoing them, and sends nothing', async () => {
    const transport = connectionTransport();
    await renderApp(transport);
    const panel = await openPanel();
    type(panel, 'Account SID', API_KEY_SID);
    type(panel, 'Auth Token', 'not-a-token');
    type(panel, 'Reserved domain (optional)', 'https://my-app.ngrok.app');
    fireEvent.click(within(panel).getByText('Advanced settings'));
    for (const label of [/Execution started/, /Step ended/, /Execution ended/]) fireEvent.click(within(panel).getByLabelText(label));
    await submit(panel);

    expect(transport.callsOf('connection.connect')).toEqual([]);
    expect(within(panel).getByText('That looks like an API Key SID (SK…): the Account SID starts with AC.')).toBeTruthy();
    expect(within(panel).getByText('The Auth Token is 32 hexadecimal digits (this one has 11 characters).')).toBeTruthy();
    expect(within(panel).getByText(/Enter the domain alone, without https:\/\//)).toBeTruthy();
    expect(within(panel).getByText('Choose at least one event type.')).toBeTruthy();
    expect(input(panel, 'Account SID').getAttribute('aria-invalid')).toBe('true');
    expect(panel.textContent).not.toContain('not-a-token');

    // fixed fields lose their message as the user types
    type(panel, 'Account SID', ACCOUNT_SID);
    expect(within(panel).queryByText(/looks like an API Key SID/)).toBeNull();
  });

  it('requires an Auth Token unless one is stored or comes from the environment', async () => {
    const transport = connectionTransport();
    await renderApp(transport);
    const panel = await openPanel();
    type(panel, 'Account SID', ACCOUNT_SID);
    await submit(panel);
    expect(within(panel).getByText(/Enter the Auth Token/)).toBeTruthy();
    expect(transport.callsOf('connection.connect')).toEqual([]);
  });

  it('saves the receiver path and port for the next start', async () => {
    const transport = connectionTransport();
    await renderApp(transport);
    const panel = await openPanel();
    fireEvent.click(within(panel).getByText('Advanced settings'));
    type(panel, 'Receiver path', 'events');
    expect(within(panel).getByText(/The path starts with \//)).toBeTruthy();
    type(panel, 'Receiver path', '/twilio/events');
    type(panel, 'Receiver port', '4545');
    fireEvent.click(within(panel).getByRole('button', { name: 'Save for next start' }));
    await settle();
    expect(transport.callsOf('settings.set')).toEqual([{ receiverPath: '/twilio/events', receiverPort: 4545 }]);
    expect(within(panel).getByText(/Applies at the next start/)).toBeTruthy();
  });
});

// @vitest-environment jsdom
// What the Connect panel says about stored secrets (never their values): stored / from the
// environment, where they are kept and whether that is encrypted, Forget, and that a typed
// secret never reaches a store.
import './dom-layout.js';
import { cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SecretsStatus } from '../../src/shared/contract.js';
import { connectionSyncFor } from '../../src/renderer/src/store/connection-sync.js';
import { FakeTransport } from './fake-transport.js';
import { renderApp, settle } from './render-app.js';
import { ACCOUNT_SID, AUTH_TOKEN, connectedStatus, makeSecrets, makeSettings, makeStatus, NGROK_TOKEN, STUDIO_TYPES } from './connect-fixtures.js';

afterEach(cleanup);

const ALL_STORED = { 'twilio.authToken': true, 'twilio.apiKeySecret': false, 'ngrok.authtoken': true };

function secretsTransport(secrets: SecretsStatus): FakeTransport {
  const transport = new FakeTransport();
  transport.handle('connection.get', () => makeStatus({ secrets }));
  transport.handle('settings.get', () => makeSettings({ accountSid: ACCOUNT_SID }));
  transport.handle('connection.connect', () => makeStatus({ state: 'failed', secrets }));
  return transport;
}

async function openPanel(): Promise<HTMLElement> {
  fireEvent.click(screen.getByRole('button', { name: /Connect Twilio|Connected/ }));
  await settle();
  return screen.getByRole('dialog', { name: 'Twilio connection' });
}

const field = (panel: HTMLElement, label: string) => within(panel).getByLabelText(label) as HTMLInputElement;

describe('Connect panel secrets', () => {
  it('says which secrets are stored, lets them be kept by leaving the fields empty, and forgets them', async () => {
    const transport = secretsTransport(makeSecrets({ stored: ALL_STORED }));
    const forgotten = makeSecrets();
    transport.handle('connection.forgetSecrets', () => forgotten);
    await renderApp(transport);
    const panel = await openPanel();
    expect(field(panel, 'Auth Token').placeholder).toBe('stored ✓ (leave empty to keep)');
    expect(field(panel, 'ngrok authtoken').placeholder).toBe('stored ✓ (leave empty to keep)');
    expect(field(panel, 'Auth Token').value).toBe('');
    expect(within(panel).getByText(/Stored: Auth Token, ngrok authtoken\./)).toBeTruthy();

    // stored values need no typing: the form passes its checks and sends no secret
    fireEvent.click(within(panel).getByRole('button', { name: 'Connect' }));
    await settle();
    expect(transport.callsOf('connection.connect')).toEqual([{ accountSid: ACCOUNT_SID, remember: true, eventTypes: STUDIO_TYPES }]);

    fireEvent.click(within(panel).getByRole('button', { name: 'Forget stored secrets' }));
    await settle();
    expect(transport.callsOf('connection.forgetSecrets')).toEqual([{}]);
    expect(field(panel, 'Auth Token').placeholder).toBe('32 hexadecimal digits');
    expect(within(panel).getByText('No secret is stored.')).toBeTruthy();
    expect(within(panel).queryByRole('button', { name: 'Forget stored secrets' })).toBeNull();
  });

  it('says plainly that a headless 0600 file is not encrypted, and that credentials come from the environment', async () => {
    const transport = secretsTransport(makeSecrets({ backend: 'file', encrypted: false, fromEnvironment: { twilio: true, ngrok: false } }));
    await renderApp(transport);
    const panel = await openPanel();
    const storage = within(panel).getByTestId('secrets-storage');
    expect(storage.textContent).toContain('Not encrypted: kept in a file in the data directory that only your user can read (mode 0600).');
    expect(storage.textContent).toContain('From the environment: Twilio credentials.');
    expect(field(panel, 'Auth Token').placeholder).toBe('from the environment (leave empty to use it)');
    // not encrypted: remembering is not ticked by default, but may be chosen
    const remember = field(panel, 'Remember credentials');
    expect(remember.checked).toBe(false);
    expect(remember.disabled).toBe(false);
  });

  it('says that Linux basic_text is obfuscation, not encryption', async () => {
    const transport = secretsTransport(makeSecrets({ backend: 'safeStorage:basic_text', encrypted: false }));
    await renderApp(transport);
    const panel = await openPanel();
    expect(within(panel).getByTestId('secrets-storage').textContent).toContain('Not encrypted: no OS keyring was found, so Electron only obfuscates them (Linux basic_text).');
  });

  it('disables Remember with an explanation when nothing can be stored', async () => {
    const transport = secretsTransport(makeSecrets({ backend: 'safeStorage:unknown', encrypted: false, canRemember: false }));
    await renderApp(transport);
    const panel = await openPanel();
    const remember = field(panel, 'Remember credentials');
    expect(remember.disabled).toBe(true);
    expect(remember.checked).toBe(false);
    expect(within(panel).getByText(/offers no place to keep secrets safely: Flowscope asks for them at every Connect/)).toBeTruthy();
  });

  it('keeps typed secrets out of every store and out of the page once submitted', async () => {
    const transport = secretsTransport(makeSecrets());
    const { app } = await renderApp(transport);
    const panel = await openPanel();
    fireEvent.change(field(panel, 'Auth Token'), { target: { value: AUTH_TOKEN } });
    fireEvent.change(field(panel, 'ngrok authtoken'), { target: { value: NGROK_TOKEN } });
    const sync = connectionSyncFor(app);
    expect(JSON.stringify(sync.store.getState())).not.toContain(AUTH_TOKEN);
    expect(JSON.stringify(sync.store.getState())).not.toContain(NGROK_TOKEN);

    fireEvent.click(within(panel).getByRole('button', { name: 'Connect' }));
    await settle();
    expect(transport.callsOf('connection.connect')).toHaveLength(1);
    expect(JSON.stringify(sync.store.getState())).not.toContain(AUTH_TOKEN);
    const { list: _list, ...appState } = app.store.getState();
    expect(JSON.stringify(appState)).not.toContain(AUTH_TOKEN);
    expect(field(panel, 'Auth Token').value).toBe('');
    expect(field(panel, 'ngrok authtoken').value).toBe('');
  });

  it('shows the secrets while connected too, with Forget', async () => {
    const transport = new FakeTransport();
    transport.handle('connection.get', () => connectedStatus({ secrets: makeSecrets({ stored: ALL_STORED }) }));
    transport.handle('settings.get', () => makeSettings());
    await renderApp(transport);
    const panel = await openPanel();
    expect(within(panel).getByText(/Stored: Auth Token, ngrok authtoken\./)).toBeTruthy();
    expect(within(panel).getByRole('button', { name: 'Forget stored secrets' })).toBeTruthy();
  });
});

// The settings file: a stable random install id, defaults for anything missing or invalid, no
// password-carrying URL remembered; and the small URL helpers the connection relies on.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONNECTION_SETTINGS_FILE, ConnectionSettingsStore, DEFAULT_CONNECTION_SETTINGS } from '../../../src/core/connection/connection-settings.js';
import { displayUrl, urlPassword } from '../../../src/core/connection/display-url.js';
import { withBasicGuard } from '../../../src/core/connection/provisioning.js';
import { isValidInstallId } from '../../../src/core/twilio/resource-tag.js';
import { useTempDir } from '../../support/temp-dir.js';

const tempDir = useTempDir('flowscope-settings-');

describe('ConnectionSettingsStore', () => {
  it('creates a random install id once and keeps it across instances', async () => {
    const dir = tempDir();
    const first = await new ConnectionSettingsStore(dir).installId();
    expect(isValidInstallId(first)).toBe(true);
    expect(await new ConnectionSettingsStore(dir).installId()).toBe(first);
    expect(await new ConnectionSettingsStore(tempDir()).installId()).not.toBe(first);
    expect(fs.statSync(path.join(dir, CONNECTION_SETTINGS_FILE)).mode & 0o777).toBe(0o600);
  });

  it('falls back per field on invalid content and keeps the valid rest', async () => {
    const dir = tempDir();
    fs.writeFileSync(
      path.join(dir, CONNECTION_SETTINGS_FILE),
      JSON.stringify({ installId: 'keep-me', settings: { receiverPort: 'eighty', tunnelDomain: 'me.ngrok.app', eventTypes: [] }, leftoverAccountSid: null }),
    );
    const store = new ConnectionSettingsStore(dir);
    expect(await store.installId()).toBe('keep-me');
    expect(await store.settings()).toEqual({ ...DEFAULT_CONNECTION_SETTINGS, tunnelDomain: 'me.ngrok.app' });
    fs.writeFileSync(path.join(dir, CONNECTION_SETTINGS_FILE), '{ torn');
    expect(await new ConnectionSettingsStore(dir).settings()).toEqual(DEFAULT_CONNECTION_SETTINGS);
  });

  it('validates updates as a whole and never remembers a URL with a password', async () => {
    const store = new ConnectionSettingsStore(tempDir());
    await expect(store.update({ receiverPath: 'events' })).rejects.toThrow();
    expect(await store.update({ publicUrl: 'https://user:pw@example.com', receiverPort: 4000 })).toMatchObject({ publicUrl: null, receiverPort: 4000 });
    await store.setLeftoverAccount('AC00000000000000000000000000000001');
    expect((await new ConnectionSettingsStore(path.dirname(store.file)).load()).leftoverAccountSid).toBe('AC00000000000000000000000000000001');
  });
});

describe('URL helpers', () => {
  it('puts the Basic guard in the authority, once, and masks it for display', () => {
    const guarded = withBasicGuard('https://abc.ngrok-free.app', 'pa ss/word');
    expect(guarded).toBe('https://flowscope:pa%20ss%2Fword@abc.ngrok-free.app');
    expect(urlPassword(guarded)).toBe('pa ss/word');
    expect(displayUrl(`${guarded}/events`)).toBe('https://flowscope:***@abc.ngrok-free.app/events');
    expect(withBasicGuard('https://me:mine@x.example.com/p', 'other')).toBe('https://me:mine@x.example.com/p');
    expect(displayUrl('not a url')).toBe('(invalid URL)');
    expect(urlPassword('https://x.example.com')).toBeNull();
  });
});

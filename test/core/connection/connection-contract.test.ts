// The connection's contract entries as a UI uses them: write-only secrets (booleans come back, never
// values), settings with validation, strict params.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STUDIO_EVENT_TYPES } from '../../../src/shared/studio-event.js';
import { NGROK_TOKEN, expectNoSecrets, startRig } from './connection-rig.js';

describe('connection contract', () => {
  it('stores, replaces and forgets secrets without ever returning one', async () => {
    const rig = await startRig();
    const token = rig.fake.account.authToken;
    const idle = await rig.call('connection.get', {});
    expect(idle).toMatchObject({ state: 'idle', steps: [], error: null, sinkSid: null, verification: 'off', eventTypes: [...STUDIO_EVENT_TYPES] });
    expect(idle.secrets).toEqual({
      backend: 'file',
      encrypted: false,
      canRemember: true,
      stored: { 'twilio.authToken': false, 'twilio.apiKeySecret': false, 'ngrok.authtoken': false },
      fromEnvironment: { twilio: false, ngrok: false },
    });

    expect((await rig.call('secrets.set', { name: 'twilio.authToken', value: ` ${token}\n` })).stored['twilio.authToken']).toBe(true);
    expect((await rig.call('secrets.set', { name: 'ngrok.authtoken', value: NGROK_TOKEN })).stored).toEqual({
      'twilio.authToken': true,
      'twilio.apiKeySecret': false,
      'ngrok.authtoken': true,
    });
    const file = path.join(rig.dataDir, 'credentials.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ twilio: { authToken: token }, ngrok: { authtoken: NGROK_TOKEN } });
    expect(rig.pushes.at(-1)?.secrets.stored['ngrok.authtoken']).toBe(true);

    // The stored values connect without the form carrying them.
    const status = await rig.call('connection.connect', { accountSid: rig.fake.account.sid });
    expect(status.state).toBe('connected');
    await rig.call('connection.disconnect', {});

    expect((await rig.call('secrets.delete', { name: 'ngrok.authtoken' })).stored['ngrok.authtoken']).toBe(false);
    expect((await rig.call('connection.forgetSecrets', {})).stored).toEqual({
      'twilio.authToken': false,
      'twilio.apiKeySecret': false,
      'ngrok.authtoken': false,
    });
    expectNoSecrets(rig, [token, NGROK_TOKEN]);
  });

  it('refuses what a UI must not do', async () => {
    const rig = await startRig();
    const refused = async (command: string, params: unknown) => {
      const outcome = await rig.invoke(command, params);
      expect(outcome.ok).toBe(false);
      return outcome.ok ? null : outcome.error;
    };
    expect(await refused('secrets.get', { name: 'twilio.authToken' })).toMatchObject({ code: 'bad_request' });
    expect(await refused('secrets.set', { name: 'receiver.basicAuthPassword', value: 'x'.repeat(20) })).toMatchObject({ code: 'bad_request' });
    expect(await refused('secrets.set', { name: 'twilio.authToken', value: '' })).toMatchObject({ code: 'bad_request' });
    const multiline = await refused('secrets.set', { name: 'twilio.authToken', value: 'abc\ndefsecretvalue' });
    expect(multiline).toEqual({ code: 'bad_request', message: 'twilio.authToken must not contain line breaks or NUL characters' });
    expect(await refused('connection.connect', { accountSid: 'AC1', password: 'x' })).toMatchObject({ code: 'bad_request' });
    expect(await refused('settings.set', { receiverPath: 'no-slash' })).toMatchObject({ code: 'bad_request' });
    expect(await refused('settings.set', { receiverPath: '/hooks//twilio' })).toMatchObject({ code: 'bad_request' });
    expect(await refused('settings.set', { eventTypes: ['not a type'] })).toMatchObject({ code: 'bad_request' });
  });

  it('saves settings; a public URL with a password is not remembered', async () => {
    const rig = await startRig();
    const defaults = await rig.call('settings.get', {});
    expect(defaults).toEqual({
      eventTypes: [...STUDIO_EVENT_TYPES],
      includeSubaccounts: false,
      receiverPort: null,
      receiverPath: '/events',
      tunnelDomain: null,
      accountSid: null,
      apiKeySid: null,
      publicUrl: null,
    });
    const saved = await rig.call('settings.set', { receiverPort: 4321, tunnelDomain: 'me.ngrok-free.app', publicUrl: 'https://u:secretpass@x.example.com' });
    expect(saved).toMatchObject({ receiverPort: 4321, tunnelDomain: 'me.ngrok-free.app', publicUrl: null });
    expect(await rig.call('settings.set', { publicUrl: 'https://x.example.com/flowscope' })).toMatchObject({ publicUrl: 'https://x.example.com/flowscope' });

    // Connect saves what it was given (no secrets) and warns about subaccounts.
    const status = await rig.call('connection.connect', { ...rig.fake.authTokenCredentials(), ngrokAuthtoken: NGROK_TOKEN, includeSubaccounts: true });
    expect(status.warnings).toEqual([expect.stringMatching(/^Subaccounts' events are not included/)]);
    expect(await rig.call('settings.get', {})).toMatchObject({ accountSid: rig.fake.account.sid, includeSubaccounts: true, apiKeySid: null });
    const text = fs.readFileSync(path.join(rig.dataDir, 'connection.json'), 'utf8');
    expect(text).not.toContain(rig.fake.account.authToken);
    expect(text).not.toContain(NGROK_TOKEN);
  });
});

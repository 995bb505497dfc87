import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCredentialsDocument, writeCredentialsDocument } from '../../../src/core/secrets/credentials-file.js';
import { FileSecretStore } from '../../../src/core/secrets/file-secret-store.js';
import { isSecretName, SECRET_NAMES, type SecretName } from '../../../src/core/secrets/secret-store.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'flowscope-store-'));
  file = path.join(dir, 'credentials.json');
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('FileSecretStore', () => {
  it('describes itself as an unencrypted file', () => {
    expect(new FileSecretStore(file).describe()).toEqual({ backend: 'file', encrypted: false });
  });

  it('gets null for everything before anything is stored', async () => {
    const store = new FileSecretStore(file);
    for (const name of SECRET_NAMES) expect(await store.get(name)).toBeNull();
  });

  it('sets, replaces and deletes secrets as nested fields of the credentials file', async () => {
    const store = new FileSecretStore(file);
    await store.set('twilio.authToken', 'first');
    await store.set('twilio.authToken', 'second');
    await store.set('ngrok.authtoken', 'ngroktoken');
    expect(await store.get('twilio.authToken')).toBe('second');
    expect(await readCredentialsDocument(file)).toEqual({ twilio: { authToken: 'second' }, ngrok: { authtoken: 'ngroktoken' } });
    await store.delete('twilio.authToken');
    await store.delete('twilio.apiKeySecret'); // absent: not an error
    expect(await store.get('twilio.authToken')).toBeNull();
    expect(await store.get('ngrok.authtoken')).toBe('ngroktoken');
  });

  it('preserves identifiers and unknown keys that share the file', async () => {
    await writeCredentialsDocument(file, { twilio: { accountSid: 'AC123' }, ngrok: { domain: 'me.ngrok.app' }, custom: 1 });
    const store = new FileSecretStore(file);
    await store.set('ngrok.authtoken', 'tok');
    await store.delete('twilio.authToken');
    expect(await readCredentialsDocument(file)).toEqual({
      twilio: { accountSid: 'AC123' },
      ngrok: { domain: 'me.ngrok.app', authtoken: 'tok' },
      custom: 1,
    });
  });

  it('loses no update when sets run concurrently', async () => {
    const store = new FileSecretStore(file);
    await Promise.all([
      store.set('twilio.authToken', 'a'),
      store.set('twilio.apiKeySecret', 'b'),
      store.set('ngrok.authtoken', 'c'),
      store.set('receiver.basicAuthPassword', 'd'),
    ]);
    expect(await Promise.all(SECRET_NAMES.map((name) => store.get(name)))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses empty values and unknown names without echoing the value', async () => {
    const store = new FileSecretStore(file);
    await expect(store.set('twilio.authToken', '  ')).rejects.toThrow(/non-empty/);
    await expect(store.set('twilio.authToken', 'line\nbreak')).rejects.toThrow(/line breaks/);
    await expect(store.get('twilio.accountSid' as SecretName)).rejects.toThrow(/unknown secret name/);
    const failure = await store.set('twilio.authToken', 'bad\0value').catch((error: unknown) => error);
    expect((failure as Error).message).not.toContain('bad');
  });

  it.skipIf(process.platform === 'win32')('refuses to read a file others can read', async () => {
    const store = new FileSecretStore(file);
    await store.set('twilio.authToken', 'secret');
    await fs.chmod(file, 0o644);
    await expect(store.get('twilio.authToken')).rejects.toThrow(/chmod 600/);
    await expect(store.set('ngrok.authtoken', 'x')).rejects.toThrow(/chmod 600/);
  });

  it('recognizes only the secret names', () => {
    expect(SECRET_NAMES.every(isSecretName)).toBe(true);
    expect(isSecretName('twilio.accountSid')).toBe(false);
    expect(isSecretName(42)).toBe(false);
  });
});

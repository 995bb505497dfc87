// The desktop secret store over an injected fake of Electron's safeStorage: only ciphertext on disk
// (0600), honest about basic_text, refusing before `ready` and without any encryption.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafeStorageSecretStore, type SafeStorageLike } from '../../src/main/safe-storage-secret-store.js';
import { useTempDir } from '../support/temp-dir.js';

const tempDir = useTempDir('flowscope-safe-storage-');
const TOKEN = '0123456789abcdef0123456789abcdef';

/** Reversible but not plaintext: XOR with a key, like a real backend as far as the store can tell. */
class FakeSafeStorage implements SafeStorageLike {
  available = true;
  backend = 'gnome_libsecret';
  decryptCalls = 0;
  key = 0x5a;
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  encryptString(plainText: string): Buffer {
    return Buffer.from([...Buffer.from(plainText, 'utf8')].map((byte) => byte ^ this.key));
  }
  decryptString(encrypted: Buffer): string {
    this.decryptCalls += 1;
    if (encrypted[0] === undefined) throw new Error('bad ciphertext');
    return Buffer.from([...encrypted].map((byte) => byte ^ this.key)).toString('utf8');
  }
  getSelectedStorageBackend(): string {
    return this.backend;
  }
}

function setup(options: { platform?: NodeJS.Platform; ready?: boolean } = {}) {
  const safeStorage = new FakeSafeStorage();
  const file = path.join(tempDir(), 'nested', 'secrets.json');
  let ready = options.ready ?? true;
  const store = new SafeStorageSecretStore({ safeStorage, file, isReady: () => ready, platform: options.platform ?? 'linux' });
  return { safeStorage, file, store, setReady: (value: boolean) => void (ready = value) };
}

describe('SafeStorageSecretStore', () => {
  it('stores only ciphertext, in a 0600 file, and reads it back', async () => {
    const { store, file, safeStorage } = setup();
    await store.set('twilio.authToken', TOKEN);
    await store.set('ngrok.authtoken', 'ngrok-token-value-1234');
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain('ngrok-token-value-1234');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(await store.get('twilio.authToken')).toBe(TOKEN);
    expect(await store.get('twilio.apiKeySecret')).toBeNull();

    const decryptsBefore = safeStorage.decryptCalls;
    expect(await store.has('ngrok.authtoken')).toBe(true);
    expect(await store.has('twilio.apiKeySecret')).toBe(false);
    expect(safeStorage.decryptCalls).toBe(decryptsBefore);

    await store.delete('ngrok.authtoken');
    await store.delete('ngrok.authtoken');
    expect(await store.has('ngrok.authtoken')).toBe(false);
    expect(await store.get('twilio.authToken')).toBe(TOKEN);
    expect(store.describe()).toEqual({ backend: 'safeStorage:gnome_libsecret', encrypted: true });
    expect(store.canStore()).toBe(true);
  });

  it('says plainly that basic_text is not encryption', async () => {
    const { store, safeStorage } = setup();
    safeStorage.backend = 'basic_text';
    expect(store.describe()).toEqual({ backend: 'safeStorage:basic_text', encrypted: false });
    // Still the user's choice to remember (the UI warns); it works.
    await store.set('twilio.authToken', TOKEN);
    expect(await store.get('twilio.authToken')).toBe(TOKEN);
  });

  it('names the platform backends on macOS and Windows', () => {
    expect(setup({ platform: 'darwin' }).store.describe()).toEqual({ backend: 'safeStorage:keychain', encrypted: true });
    expect(setup({ platform: 'win32' }).store.describe()).toEqual({ backend: 'safeStorage:dpapi', encrypted: true });
  });

  it('refuses to store without encryption, and before the app is ready', async () => {
    const { store, safeStorage, setReady } = setup({ ready: false });
    expect(store.canStore()).toBe(false);
    expect(store.describe()).toEqual({ backend: 'safeStorage:unknown', encrypted: false });
    await expect(store.set('twilio.authToken', TOKEN)).rejects.toThrow('Secret storage is available only once the app has started.');
    await expect(store.get('twilio.authToken')).rejects.toThrow('only once the app has started');
    setReady(true);
    safeStorage.available = false;
    expect(store.canStore()).toBe(false);
    const refusal = await store.set('twilio.authToken', TOKEN).catch((error: Error) => error);
    expect(refusal).toBeInstanceOf(Error);
    expect((refusal as Error).message).toMatch(/^This system offers no secret storage/);
    expect((refusal as Error).message).not.toContain(TOKEN);
  });

  it('reads an undecryptable or corrupt entry as absent, and rejects bad input without echoing it', async () => {
    const { store, file, safeStorage } = setup();
    await store.set('twilio.authToken', TOKEN);
    safeStorage.decryptString = () => {
      throw new Error('key changed');
    };
    expect(await store.get('twilio.authToken')).toBeNull();
    fs.writeFileSync(file, '{ not json');
    expect(await store.has('twilio.authToken')).toBe(false);
    await expect(store.set('twilio.authToken', `${TOKEN}\n${TOKEN}`)).rejects.toThrow('twilio.authToken must not contain line breaks or NUL characters');
    await expect(store.set('twilio.authToken', '   ')).rejects.toThrow(TypeError);
    await expect(store.get('not.a.secret' as never)).rejects.toThrow('unknown secret name');
  });
});

/**
 * The desktop SecretStore: secrets encrypted with Electron's `safeStorage` (Keychain on macOS,
 * DPAPI on Windows, the Secret Service / KWallet on Linux), kept in `<userData>/secrets.json`.
 *
 * Boundary module (secrets at rest). Invariants and security assumptions:
 * - Only ciphertext (base64) is ever written; the file is replaced atomically with mode 0600.
 * - safeStorage is usable only after the app's `ready` event: every operation checks `isReady()`
 *   first and refuses politely before that.
 * - On Linux without a keyring the backend is `basic_text`: safeStorage still "encrypts", but with
 *   a hard-coded key — obfuscation, not encryption. `describe()` then says `encrypted: false` so
 *   the UI tells the user plainly; whether to remember the token stays the user's choice
 *   (Connect's `remember` is off unless asked). With no encryption at all, `canStore()` is false
 *   and `set` refuses.
 * - `has` answers from the file without decrypting; a value that can no longer be decrypted (the
 *   keyring was reset) reads as absent, never as an error carrying ciphertext or plaintext.
 * - Error messages never contain a value. Electron is reached only through {@link SafeStorageLike},
 *   so the store runs under plain Node in tests with a fake.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ConnectionSecretStore } from '../core/connection/connection-deps.js';
import { assertStorableSecret, isSecretName, type SecretName, type SecretStoreDescription } from '../core/secrets/secret-store.js';

export const SECRETS_FILE_NAME = 'secrets.json';

/** The part of Electron's `safeStorage` this store uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

export interface SafeStorageSecretStoreOptions {
  safeStorage: SafeStorageLike;
  /** Usually `join(app.getPath('userData'), SECRETS_FILE_NAME)`. */
  file: string;
  /** `app.isReady()`. */
  isReady(): boolean;
  platform?: NodeJS.Platform;
}

interface SecretsFile {
  version: 1;
  /** Secret name -> base64 of safeStorage's ciphertext. */
  secrets: Partial<Record<SecretName, string>>;
}

export class SafeStorageSecretStore implements ConnectionSecretStore {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly platform: NodeJS.Platform;

  constructor(private readonly options: SafeStorageSecretStoreOptions) {
    this.platform = options.platform ?? process.platform;
  }

  async get(name: SecretName): Promise<string | null> {
    assertName(name);
    this.assertReady();
    await this.queue.catch(() => undefined);
    const stored = (await this.read()).secrets[name];
    if (stored === undefined || !this.options.safeStorage.isEncryptionAvailable()) return null;
    try {
      const value = this.options.safeStorage.decryptString(Buffer.from(stored, 'base64'));
      return value === '' ? null : value;
    } catch {
      return null; // encrypted under a key this session cannot use any more
    }
  }

  async has(name: SecretName): Promise<boolean> {
    assertName(name);
    await this.queue.catch(() => undefined);
    return (await this.read()).secrets[name] !== undefined;
  }

  async set(name: SecretName, value: string): Promise<void> {
    assertName(name);
    assertStorableSecret(name, value);
    this.assertReady();
    if (!this.options.safeStorage.isEncryptionAvailable()) {
      throw new Error('This system offers no secret storage (no keychain or keyring), so secrets cannot be remembered; enter them at each Connect.');
    }
    let ciphertext: string;
    try {
      ciphertext = this.options.safeStorage.encryptString(value).toString('base64');
    } catch {
      throw new Error('The system refused to encrypt the secret; it was not stored.');
    }
    await this.update((file) => ({ ...file, secrets: { ...file.secrets, [name]: ciphertext } }));
  }

  async delete(name: SecretName): Promise<void> {
    assertName(name);
    await this.update((file) => {
      if (file.secrets[name] === undefined) return null;
      const { [name]: _removed, ...rest } = file.secrets;
      return { ...file, secrets: rest };
    });
  }

  describe(): SecretStoreDescription {
    const backend = this.backend();
    const available = this.options.isReady() && this.options.safeStorage.isEncryptionAvailable();
    return { backend: `safeStorage:${backend}`, encrypted: available && backend !== 'basic_text' && backend !== 'unknown' };
  }

  canStore(): boolean {
    return this.options.isReady() && this.options.safeStorage.isEncryptionAvailable();
  }

  private backend(): string {
    if (this.platform === 'darwin') return 'keychain';
    if (this.platform === 'win32') return 'dpapi';
    if (!this.options.isReady()) return 'unknown';
    return this.options.safeStorage.getSelectedStorageBackend?.() ?? 'unknown';
  }

  private assertReady(): void {
    if (!this.options.isReady()) throw new Error('Secret storage is available only once the app has started.');
  }

  private async read(): Promise<SecretsFile> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await fs.readFile(this.options.file, 'utf8'));
    } catch {
      return { version: 1, secrets: {} }; // missing or unreadable: nothing stored
    }
    const secrets: Partial<Record<SecretName, string>> = {};
    const raw = (parsed as { secrets?: unknown } | null)?.secrets;
    if (typeof raw === 'object' && raw !== null) {
      for (const [name, value] of Object.entries(raw)) {
        if (isSecretName(name) && typeof value === 'string' && /^[A-Za-z0-9+/=]+$/.test(value)) secrets[name] = value;
      }
    }
    return { version: 1, secrets };
  }

  /** Serialized read-modify-write; `change` returns null for "nothing to do". */
  private update(change: (file: SecretsFile) => SecretsFile | null): Promise<void> {
    const run = this.queue
      .catch(() => undefined)
      .then(async () => {
        const next = change(await this.read());
        if (next !== null) await this.write(next);
      });
    this.queue = run;
    return run;
  }

  private async write(file: SecretsFile): Promise<void> {
    const dir = path.dirname(this.options.file);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = path.join(dir, `.${path.basename(this.options.file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await fs.writeFile(temp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      await fs.rename(temp, this.options.file);
    } catch (error) {
      await fs.rm(temp, { force: true });
      const code = (error as { code?: unknown } | null)?.code;
      throw new Error(`Cannot write the secrets file (${typeof code === 'string' ? code : 'unknown error'}).`);
    }
  }
}

function assertName(name: unknown): asserts name is SecretName {
  if (!isSecretName(name)) throw new TypeError('unknown secret name');
}

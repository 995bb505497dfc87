/**
 * The headless SecretStore: secrets live in the user-only credentials file (credentials-file.ts),
 * the same file `loadHeadlessCredentials` reads, so a secret entered in the headless UI is used by
 * the next `serve --connect`.
 *
 * Invariants and security assumptions:
 * - A secret name `section.key` is the JSON path `{ "section": { "key": … } }`; other fields
 *   (Account SID, ngrok domain, unknown keys) are preserved by every write.
 * - Every read re-checks the file's mode (refusing group/other access) and every write is atomic
 *   with mode 0600. Not encrypted: `describe()` says so, for the UI to show.
 * - Writes from this process are serialized, so concurrent `set` calls cannot lose an update.
 *   Other processes writing the same file concurrently are not coordinated with.
 */
import { readCredentialsDocument, writeCredentialsDocument, type CredentialsDocument } from './credentials-file.js';
import {
  assertStorableSecret,
  isSecretName,
  type SecretName,
  type SecretStore,
  type SecretStoreDescription,
} from './secret-store.js';

type Section = Record<string, unknown>;

export class FileSecretStore implements SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  async get(name: SecretName): Promise<string | null> {
    assertName(name);
    await this.queue.catch(() => undefined);
    const document = await readCredentialsDocument(this.file);
    const [section, key] = splitName(name);
    const value = (document?.[section] as Section | undefined)?.[key];
    return typeof value === 'string' && value !== '' ? value : null;
  }

  async set(name: SecretName, value: string): Promise<void> {
    assertName(name);
    assertStorableSecret(name, value);
    return this.update((document) => {
      const [section, key] = splitName(name);
      const current = (document[section] as Section | undefined) ?? {};
      return { ...document, [section]: { ...current, [key]: value } };
    });
  }

  async delete(name: SecretName): Promise<void> {
    assertName(name);
    return this.update((document) => {
      const [section, key] = splitName(name);
      const current = document[section] as Section | undefined;
      if (current === undefined || !(key in current)) return null;
      const { [key]: _removed, ...rest } = current;
      return { ...document, [section]: rest };
    });
  }

  describe(): SecretStoreDescription {
    return { backend: 'file', encrypted: false };
  }

  /** Runs read-modify-write after every earlier write; `change` returns null for "nothing to do". */
  private update(change: (document: CredentialsDocument) => CredentialsDocument | null): Promise<void> {
    const run = this.queue
      .catch(() => undefined)
      .then(async () => {
        const document = (await readCredentialsDocument(this.file)) ?? {};
        const next = change(document);
        if (next !== null) await writeCredentialsDocument(this.file, next);
      });
    this.queue = run;
    return run;
  }
}

function assertName(name: unknown): asserts name is SecretName {
  if (!isSecretName(name)) throw new TypeError('unknown secret name');
}

function splitName(name: SecretName): [keyof CredentialsDocument & string, string] {
  const dot = name.indexOf('.');
  return [name.slice(0, dot), name.slice(dot + 1)];
}

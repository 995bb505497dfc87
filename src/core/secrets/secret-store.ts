/**
 * Where the app keeps secrets: the narrow interface every backend implements (Electron
 * `safeStorage` in src/main, a user-only file in headless mode: file-secret-store.ts).
 *
 * Invariants and security assumptions:
 * - Only the names in {@link SECRET_NAMES} can be stored: secrets, nothing else. Identifiers that
 *   are not secret (Account SID, API Key SID, ngrok domain) belong in ordinary settings.
 * - `get` is for the core only (to authenticate to Twilio / ngrok). Nothing read from a store is
 *   ever sent to the renderer, logged, exported or put in an error message; the UI may only
 *   replace (`set`) or forget (`delete`) a secret, and learn whether one is present.
 * - Implementations never include a secret's value in the errors they throw.
 */

export const SECRET_NAMES = [
  'twilio.authToken',
  'twilio.apiKeySecret',
  'ngrok.authtoken',
  /** Password of the optional `user:pass@` guard on the sink destination (DESIGN.md section 7). */
  'receiver.basicAuthPassword',
] as const;

export type SecretName = (typeof SECRET_NAMES)[number];

export function isSecretName(value: unknown): value is SecretName {
  return typeof value === 'string' && (SECRET_NAMES as readonly string[]).includes(value);
}

export interface SecretStoreDescription {
  /** A short name for the backend, e.g. `file`, `safeStorage:gnome_libsecret`. */
  backend: string;
  /** Whether values are encrypted at rest (a 0600 file is protected, but not encrypted). */
  encrypted: boolean;
}

export interface SecretStore {
  /** The stored value, or null when none is stored. */
  get(name: SecretName): Promise<string | null>;
  /** Stores (replaces) a value. Rejects an empty value: use `delete` to forget a secret. */
  set(name: SecretName, value: string): Promise<void>;
  /** Forgets a value; forgetting an absent value is not an error. */
  delete(name: SecretName): Promise<void>;
  describe(): SecretStoreDescription;
}

/** Throws unless `value` is storable; the message never contains the value. */
export function assertStorableSecret(name: SecretName, value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`${name} must be a non-empty string (use delete to forget it)`);
  }
  if (/[\r\n\0]/.test(value)) throw new TypeError(`${name} must not contain line breaks or NUL characters`);
}

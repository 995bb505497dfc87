/**
 * Which credentials a Connect uses: those given with the command, else the environment's
 * (headless), else the secret store's; and which of them to remember afterwards.
 *
 * Boundary module (secrets from the UI, the environment and the store meet here).
 * Invariants and security assumptions:
 * - The credential KIND is decided by the first source that names one (the form, then the
 *   environment, then what was remembered), and all its fields come from that decision: an API
 *   key secret is never paired with a token typed for another account by accident.
 * - Problems name fields, never values (credentials.ts does the shape checks).
 * - The Auth Token is kept for signature checks even with an API key: Twilio signs deliveries
 *   with the account's auth token. Without it the receiver cannot check X-Twilio-Signature (the
 *   Connect flow then guards the sink URL with a random HTTP Basic password and warns).
 * - `secrets` lists every secret value involved, for redact() on every message that leaves.
 */
import type { ParsedCommandParams } from '../../shared/contract.js';
import type { SecretName, SecretStore } from '../secrets/secret-store.js';
import { parseTwilioCredentials, type TwilioCredentials } from '../twilio/credentials.js';

export type ConnectInput = ParsedCommandParams<'connection.connect'>;

/** Credentials from outside the store (headless: environment variables). */
export interface CredentialDefaults {
  accountSid?: string | null;
  authToken?: string | null;
  apiKeySid?: string | null;
  apiKeySecret?: string | null;
  ngrokAuthtoken?: string | null;
}

export interface ResolvedCredentials {
  twilio: TwilioCredentials;
  kind: 'auth-token' | 'api-key';
  /** The account's auth token, for X-Twilio-Signature; null with an API key alone. */
  verificationToken: string | null;
  ngrokAuthtoken: string | null;
  /** Every secret value in play (to redact). */
  secrets: string[];
  /** Secrets typed into the form, to store when the user asked to remember them. */
  typed: Partial<Record<SecretName, string>>;
}

export type CredentialResolution = { ok: true; credentials: ResolvedCredentials } | { ok: false; message: string; secrets: string[] };

/** '' and whitespace count as "not given" (an empty form field). */
export function given(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? null : trimmed;
}

const HEX32 = /^[0-9a-fA-F]{32}$/;

export async function resolveCredentials(
  input: ConnectInput,
  store: SecretStore,
  saved: { accountSid: string | null; apiKeySid: string | null },
  defaults: CredentialDefaults,
): Promise<CredentialResolution> {
  const stored = async (name: SecretName) => {
    try {
      return await store.get(name);
    } catch {
      return null; // an unreadable store is "nothing remembered"; the form can still supply values
    }
  };
  const typed: Partial<Record<SecretName, string>> = {};
  const typedAuthToken = given(input.authToken);
  const typedApiKeySecret = given(input.apiKeySecret);
  const typedNgrok = given(input.ngrokAuthtoken);
  if (typedAuthToken !== null) typed['twilio.authToken'] = typedAuthToken;
  if (typedApiKeySecret !== null) typed['twilio.apiKeySecret'] = typedApiKeySecret;
  if (typedNgrok !== null) typed['ngrok.authtoken'] = typedNgrok;

  const formNamesKind = typedAuthToken !== null || given(input.apiKeySid) !== null || typedApiKeySecret !== null;
  const envNamesKind = given(defaults.authToken) !== null || given(defaults.apiKeySid) !== null;
  const storedApiKeySecret = await stored('twilio.apiKeySecret');
  const useApiKey = formNamesKind
    ? given(input.apiKeySid) !== null || typedApiKeySecret !== null
    : envNamesKind
      ? given(defaults.apiKeySid) !== null
      : saved.apiKeySid !== null && storedApiKeySecret !== null;

  const accountSid = given(input.accountSid) ?? given(defaults.accountSid) ?? saved.accountSid ?? '';
  const authToken = typedAuthToken ?? given(defaults.authToken) ?? (await stored('twilio.authToken'));
  const ngrokAuthtoken = typedNgrok ?? given(defaults.ngrokAuthtoken) ?? (await stored('ngrok.authtoken'));
  const apiKeySid = given(input.apiKeySid) ?? given(defaults.apiKeySid) ?? saved.apiKeySid ?? '';
  const apiKeySecret = typedApiKeySecret ?? given(defaults.apiKeySecret) ?? storedApiKeySecret;
  const secrets = [authToken, apiKeySecret, ngrokAuthtoken].filter((value): value is string => value !== null);

  const parsed = parseTwilioCredentials(
    useApiKey ? { accountSid, apiKeySid, apiKeySecret: apiKeySecret ?? '' } : { accountSid, authToken: authToken ?? '' },
  );
  if (!parsed.ok) return { ok: false, message: parsed.problems.join(' '), secrets };
  if (useApiKey && authToken !== null && !HEX32.test(authToken)) {
    return { ok: false, message: `The Auth Token must be 32 hexadecimal digits (the value given has ${authToken.length} characters).`, secrets };
  }
  return {
    ok: true,
    credentials: {
      twilio: parsed.credentials,
      kind: useApiKey ? 'api-key' : 'auth-token',
      verificationToken: authToken,
      ngrokAuthtoken,
      secrets,
      typed,
    },
  };
}

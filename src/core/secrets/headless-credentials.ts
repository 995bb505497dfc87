/**
 * Credentials for headless mode (`flowscope serve --connect`): from environment variables, or
 * from the user-only credentials file (credentials-file.ts).
 *
 * Invariants and security assumptions:
 * - Environment first: if any TWILIO_* credential variable is set, the Twilio credentials come
 *   from the environment alone (never half from the environment and half from the file, which
 *   would make a stale file silently win for one field); likewise NGROK_AUTHTOKEN.
 * - A half-configured source (an Account SID without a token, an API key SID without its secret)
 *   is an error naming the missing variable or field, never a silent fallback.
 * - Error messages name variables and fields, never values. SIDs are checked for shape so a
 *   swapped SID and token is caught before anything is sent to Twilio.
 * - The auth token is kept even when an API key is given: Twilio signs webhook deliveries with
 *   the account's auth token, so only with it can the receiver verify X-Twilio-Signature.
 */
import {
  readCredentialsDocument,
  writeCredentialsDocument,
  type CredentialsDocument,
} from './credentials-file.js';

export const HEADLESS_ENV = {
  accountSid: 'TWILIO_ACCOUNT_SID',
  authToken: 'TWILIO_AUTH_TOKEN',
  apiKeySid: 'TWILIO_API_KEY_SID',
  apiKeySecret: 'TWILIO_API_KEY_SECRET',
  ngrokAuthtoken: 'NGROK_AUTHTOKEN',
} as const;

export interface TwilioCredentials {
  accountSid: string;
  /** Authenticates REST calls when there is no API key; always needed to verify signatures. */
  authToken: string | null;
  /** Preferred for REST calls when present. */
  apiKey: { sid: string; secret: string } | null;
}

export interface HeadlessCredentials {
  /** Null when neither the environment nor the file has Twilio credentials. */
  twilio: TwilioCredentials | null;
  ngrok: { authtoken: string | null; domain: string | null };
}

export type CredentialSource = 'env' | 'file';

export interface LoadedHeadlessCredentials extends HeadlessCredentials {
  sources: { twilio: CredentialSource | null; ngrokAuthtoken: CredentialSource | null };
}

/** A configuration problem; the message names variables/fields only and is safe to print. */
export class HeadlessCredentialsError extends Error {
  override name = 'HeadlessCredentialsError';
}

const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
const API_KEY_SID = /^SK[0-9a-fA-F]{32}$/;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads credentials from `env`, then from `file` (if given and present; a missing file is not an
 * error, a readable-by-others or malformed one is). Pass `defaultCredentialsFile(dataDir)`.
 */
export async function loadHeadlessCredentials(env: Env, file?: string): Promise<LoadedHeadlessCredentials> {
  const document = file === undefined ? null : await readCredentialsDocument(file);
  const fileLabel = `credentials file ${file ?? ''}`;

  const envTwilio = twilioFromFields(
    {
      accountSid: envValue(env, HEADLESS_ENV.accountSid),
      authToken: envValue(env, HEADLESS_ENV.authToken),
      apiKeySid: envValue(env, HEADLESS_ENV.apiKeySid),
      apiKeySecret: envValue(env, HEADLESS_ENV.apiKeySecret),
    },
    { ...HEADLESS_ENV, where: 'environment' },
  );
  const fileTwilio =
    envTwilio === null && document !== null
      ? twilioFromFields(
          {
            accountSid: fieldValue(document.twilio?.accountSid),
            authToken: fieldValue(document.twilio?.authToken),
            apiKeySid: fieldValue(document.twilio?.apiKeySid),
            apiKeySecret: fieldValue(document.twilio?.apiKeySecret),
          },
          {
            accountSid: 'twilio.accountSid',
            authToken: 'twilio.authToken',
            apiKeySid: 'twilio.apiKeySid',
            apiKeySecret: 'twilio.apiKeySecret',
            where: fileLabel,
          },
        )
      : null;

  const envNgrok = envValue(env, HEADLESS_ENV.ngrokAuthtoken);
  const fileNgrok = fieldValue(document?.ngrok?.authtoken);
  return {
    twilio: envTwilio ?? fileTwilio,
    ngrok: { authtoken: envNgrok ?? fileNgrok, domain: fieldValue(document?.ngrok?.domain) },
    sources: {
      twilio: envTwilio !== null ? 'env' : fileTwilio !== null ? 'file' : null,
      ngrokAuthtoken: envNgrok !== null ? 'env' : fileNgrok !== null ? 'file' : null,
    },
  };
}

/** Writes `credentials` as the whole file (atomically, mode 0600). */
export async function saveHeadlessCredentials(file: string, credentials: HeadlessCredentials): Promise<void> {
  const document: CredentialsDocument = {};
  const { twilio, ngrok } = credentials;
  if (twilio !== null) {
    document.twilio = { accountSid: twilio.accountSid };
    if (twilio.authToken !== null) document.twilio.authToken = twilio.authToken;
    if (twilio.apiKey !== null) {
      document.twilio.apiKeySid = twilio.apiKey.sid;
      document.twilio.apiKeySecret = twilio.apiKey.secret;
    }
  }
  if (ngrok.authtoken !== null || ngrok.domain !== null) {
    document.ngrok = {};
    if (ngrok.authtoken !== null) document.ngrok.authtoken = ngrok.authtoken;
    if (ngrok.domain !== null) document.ngrok.domain = ngrok.domain;
  }
  await writeCredentialsDocument(file, document);
}

/** Every secret value in `credentials`, for `redact()`. */
export function secretValues(credentials: HeadlessCredentials): string[] {
  const values = [credentials.twilio?.authToken, credentials.twilio?.apiKey?.secret, credentials.ngrok.authtoken];
  return values.filter((value): value is string => typeof value === 'string' && value !== '');
}

interface TwilioFields {
  accountSid: string | null;
  authToken: string | null;
  apiKeySid: string | null;
  apiKeySecret: string | null;
}

type FieldNames = Record<keyof TwilioFields, string> & { where: string };

function twilioFromFields(fields: TwilioFields, names: FieldNames): TwilioCredentials | null {
  const { accountSid, authToken, apiKeySid, apiKeySecret } = fields;
  if (accountSid === null && authToken === null && apiKeySid === null && apiKeySecret === null) return null;
  const fail = (problem: string): never => {
    throw new HeadlessCredentialsError(`${names.where}: ${problem}`);
  };
  if (accountSid === null) return fail(`${names.accountSid} is missing (Twilio credentials are incomplete)`);
  if (!ACCOUNT_SID.test(accountSid)) fail(`${names.accountSid} must be "AC" followed by 32 hex digits`);
  if (apiKeySid !== null && apiKeySecret === null) fail(`${names.apiKeySecret} is missing (${names.apiKeySid} is set)`);
  if (apiKeySecret !== null && apiKeySid === null) fail(`${names.apiKeySid} is missing (${names.apiKeySecret} is set)`);
  if (apiKeySid !== null && !API_KEY_SID.test(apiKeySid)) fail(`${names.apiKeySid} must be "SK" followed by 32 hex digits`);
  const apiKey = apiKeySid !== null && apiKeySecret !== null ? { sid: apiKeySid, secret: apiKeySecret } : null;
  if (authToken === null && apiKey === null) {
    fail(`set ${names.authToken}, or ${names.apiKeySid} and ${names.apiKeySecret}, with ${names.accountSid}`);
  }
  return { accountSid, authToken, apiKey };
}

/** Unset and blank variables count as absent; surrounding whitespace (a pasted newline) is dropped. */
function envValue(env: Env, name: string): string | null {
  return fieldValue(env[name]);
}

function fieldValue(value: string | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? null : trimmed;
}

/**
 * Twilio credentials: their shapes (checked before any request) and their check against the API.
 *
 * Boundary module (user input that is a secret).
 * Invariants and security assumptions:
 * - Two kinds: Account SID + Auth Token, or Account SID + API Key SID + API Key secret
 *   (DESIGN.md section 7). Values are trimmed (pasted text often carries spaces or a newline).
 * - A validation message says which field is wrong and how, never what the value was (a
 *   secret pasted into the wrong field would otherwise be echoed).
 * - {@link validateCredentials} fetches the account (GET /2010-04-01/Accounts/{Sid}.json) and keeps
 *   only non-secret fields of the answer: Twilio's Account resource includes `auth_token`.
 */
import { z } from 'zod';
import { describeTwilioErrorFor, type TwilioErrorDescription } from './twilio-errors.js';
import type { TwilioClient } from './twilio-client.js';

export interface AuthTokenCredentials {
  accountSid: string;
  authToken: string;
}

export interface ApiKeyCredentials {
  accountSid: string;
  apiKeySid: string;
  apiKeySecret: string;
}

export type TwilioCredentials = AuthTokenCredentials | ApiKeyCredentials;

export const isApiKeyCredentials = (credentials: TwilioCredentials): credentials is ApiKeyCredentials =>
  'apiKeySid' in credentials;

/** The secret half of the credentials (to scrub from any text). */
export const secretOf = (credentials: TwilioCredentials): string =>
  isApiKeyCredentials(credentials) ? credentials.apiKeySecret : credentials.authToken;

const HEX32 = /^[0-9a-fA-F]{32}$/;

function accountSidProblem(value: string): string | null {
  if (value === '') return 'The Account SID is required.';
  if (/^AC[0-9a-fA-F]{32}$/.test(value)) return null;
  if (/^SK/i.test(value)) return 'The Account SID starts with AC; that looks like an API Key SID (SK…).';
  return 'The Account SID must be AC followed by 32 hexadecimal digits (34 characters; see the Twilio Console).';
}

function authTokenProblem(value: string): string | null {
  if (value === '') return 'The Auth Token is required.';
  if (HEX32.test(value)) return null;
  return `The Auth Token must be 32 hexadecimal digits (the value given has ${value.length} characters).`;
}

function apiKeySidProblem(value: string): string | null {
  if (value === '') return 'The API Key SID is required.';
  if (/^SK[0-9a-fA-F]{32}$/.test(value)) return null;
  if (/^AC/i.test(value)) return 'The API Key SID starts with SK; that looks like an Account SID (AC…).';
  return 'The API Key SID must be SK followed by 32 hexadecimal digits (34 characters).';
}

function apiKeySecretProblem(value: string): string | null {
  if (value === '') return 'The API Key secret is required.';
  if (/^[A-Za-z0-9]{32}$/.test(value)) return null;
  return `The API Key secret must be 32 letters and digits (the value given has ${value.length} characters).`;
}

const field = (name: string, problem: (value: string) => string | null) =>
  z
    .string({ error: `The ${name} is required.` })
    .trim()
    .superRefine((value, ctx) => {
      const message = problem(value);
      if (message !== null) ctx.addIssue({ code: 'custom', message });
    });

export const authTokenCredentialsSchema = z.object({
  accountSid: field('Account SID', accountSidProblem),
  authToken: field('Auth Token', authTokenProblem),
});

export const apiKeyCredentialsSchema = z.object({
  accountSid: field('Account SID', accountSidProblem),
  apiKeySid: field('API Key SID', apiKeySidProblem),
  apiKeySecret: field('API Key secret', apiKeySecretProblem),
});

export type CredentialsParse = { ok: true; credentials: TwilioCredentials } | { ok: false; problems: string[] };

/**
 * Checks the shape of credentials from a form, a file or the environment. The API-key kind is
 * chosen when `apiKeySid` or `apiKeySecret` is present and non-empty.
 */
export function parseTwilioCredentials(input: unknown): CredentialsParse {
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const present = (key: string) => typeof record[key] === 'string' && (record[key] as string).trim() !== '';
  const schema = present('apiKeySid') || present('apiKeySecret') ? apiKeyCredentialsSchema : authTokenCredentialsSchema;
  const result = schema.safeParse(record);
  if (result.success) return { ok: true, credentials: result.data };
  return { ok: false, problems: [...new Set(result.error.issues.map((issue) => issue.message))] };
}

/** Non-secret facts about the account, for display. */
export interface TwilioAccountInfo {
  sid: string;
  friendlyName: string;
  /** `active`, `suspended` or `closed`. */
  status: string;
  /** `Trial` or `Full`. */
  type: string;
}

export type CredentialCheck =
  | { ok: true; account: TwilioAccountInfo }
  | { ok: false; error: TwilioErrorDescription | { code: null; message: string; kind: 'account_inactive'; status: null } };

/**
 * Fetches the client's own account: the cheapest call that proves the credentials work. Never
 * throws; a failure comes back as a description safe to show.
 */
export async function validateCredentials(client: TwilioClient): Promise<CredentialCheck> {
  try {
    const account = await client.api.v2010.accounts(client.accountSid).fetch();
    const info: TwilioAccountInfo = {
      sid: account.sid,
      friendlyName: account.friendlyName ?? '',
      status: String(account.status ?? 'unknown'),
      type: String(account.type ?? 'unknown'),
    };
    if (info.status !== 'active') {
      return {
        ok: false,
        error: {
          code: null,
          kind: 'account_inactive',
          status: null,
          message: `This Twilio account is ${info.status}: Event Streams cannot be set up on it.`,
        },
      };
    }
    return { ok: true, account: info };
  } catch (error) {
    return { ok: false, error: describeTwilioErrorFor(client, error) };
  }
}

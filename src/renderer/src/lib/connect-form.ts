/**
 * The Connect form's values, their light client-side checks, and the `connection.connect`
 * parameters built from them. The core checks everything again and is the authority: these
 * checks only catch typos early, with a message naming the field.
 *
 * Security: the values include secrets. They live only in the form component's state (never in
 * a store), messages never echo a value (a token pasted into the wrong field must not be shown),
 * and nothing here logs.
 */
import type { CommandParams, ConnectionSettings, SecretsStatus } from '../../../shared/contract.js';
import { STUDIO_EVENT_CHOICES } from './connection-text.js';

export interface ConnectFormValues {
  accountSid: string;
  authToken: string;
  useApiKey: boolean;
  apiKeySid: string;
  apiKeySecret: string;
  /** `ngrok`: open a tunnel; `own`: "I have my own public URL" (no tunnel). */
  urlMode: 'ngrok' | 'own';
  ngrokAuthtoken: string;
  ngrokDomain: string;
  publicUrl: string;
  remember: boolean;
  eventTypes: string[];
  removeOtherInstalls: boolean;
}

export type ConnectField = 'accountSid' | 'authToken' | 'apiKeySid' | 'apiKeySecret' | 'ngrokAuthtoken' | 'ngrokDomain' | 'publicUrl' | 'eventTypes';
export type ConnectFormErrors = Partial<Record<ConnectField, string>>;

/** The secret fields: emptied after every submit. */
export const SECRET_FIELDS = ['authToken', 'apiKeySecret', 'ngrokAuthtoken'] as const satisfies readonly (keyof ConnectFormValues)[];

const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;
const API_KEY_SID = /^SK[0-9a-f]{32}$/i;
const HEX32 = /^[0-9a-f]{32}$/i;
const ALNUM32 = /^[A-Za-z0-9]{32}$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

export function initialFormValues(settings: ConnectionSettings | null, secrets: SecretsStatus | null): ConnectFormValues {
  return {
    accountSid: settings?.accountSid ?? '',
    authToken: '',
    useApiKey: (settings?.apiKeySid ?? null) !== null,
    apiKeySid: settings?.apiKeySid ?? '',
    apiKeySecret: '',
    urlMode: (settings?.publicUrl ?? null) !== null ? 'own' : 'ngrok',
    ngrokAuthtoken: '',
    ngrokDomain: settings?.tunnelDomain ?? '',
    publicUrl: settings?.publicUrl ?? '',
    // remembering is offered by default only where it is actually encrypted
    remember: secrets !== null && secrets.canRemember && secrets.encrypted,
    eventTypes: settings?.eventTypes ?? STUDIO_EVENT_CHOICES.map((choice) => choice.type),
    removeOtherInstalls: false,
  };
}

function accountSidProblem(value: string, optional: boolean): string | null {
  if (value === '') return optional ? null : 'Enter the Account SID (AC…, on the Twilio Console’s home page).';
  if (ACCOUNT_SID.test(value)) return null;
  if (/^SK/i.test(value)) return 'That looks like an API Key SID (SK…): the Account SID starts with AC.';
  return 'The Account SID is AC followed by 32 hexadecimal digits (34 characters).';
}

function publicUrlProblem(value: string): string | null {
  if (value === '') return 'Enter the public URL that Twilio should post to.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Enter a full URL, starting with https://.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'The public URL must start with https:// (or http://).';
  if (url.search !== '' || url.hash !== '') return 'The public URL cannot carry a query (?…) or a fragment (#…).';
  return null;
}

/** Field -> message; empty when the form may be sent. `secrets` tells which empty secrets are fine. */
export function validateConnectForm(values: ConnectFormValues, secrets: SecretsStatus | null): ConnectFormErrors {
  const errors: ConnectFormErrors = {};
  const stored = secrets?.stored;
  const env = secrets?.fromEnvironment ?? { twilio: false, ngrok: false };
  const set = (field: ConnectField, problem: string | null) => {
    if (problem !== null) errors[field] = problem;
  };
  const accountSid = values.accountSid.trim();
  const authToken = values.authToken.trim();
  set('accountSid', accountSidProblem(accountSid, env.twilio));

  if (authToken !== '' && !HEX32.test(authToken)) {
    set('authToken', `The Auth Token is 32 hexadecimal digits (this one has ${authToken.length} characters).`);
  } else if (authToken === '' && !values.useApiKey && !stored?.['twilio.authToken'] && !env.twilio) {
    set('authToken', 'Enter the Auth Token (next to the Account SID in the Twilio Console).');
  }

  if (values.useApiKey) {
    const sid = values.apiKeySid.trim();
    const secret = values.apiKeySecret.trim();
    if (sid === '' && !env.twilio) set('apiKeySid', 'Enter the API Key SID (SK…).');
    else if (sid !== '' && !API_KEY_SID.test(sid)) {
      set('apiKeySid', /^AC/i.test(sid) ? 'That looks like an Account SID (AC…): the API Key SID starts with SK.' : 'The API Key SID is SK followed by 32 hexadecimal digits (34 characters).');
    }
    if (secret === '' && !stored?.['twilio.apiKeySecret'] && !env.twilio) set('apiKeySecret', 'Enter the API Key secret (shown once, when the key was created).');
    else if (secret !== '' && !ALNUM32.test(secret)) set('apiKeySecret', `The API Key secret is 32 letters and digits (this one has ${secret.length} characters).`);
  }

  if (values.urlMode === 'own') {
    set('publicUrl', publicUrlProblem(values.publicUrl.trim()));
  } else {
    // an empty authtoken is left to the core: the environment may hold it, or FLOWSCOPE_PUBLIC_URL skip the tunnel
    if (/\s/.test(values.ngrokAuthtoken.trim())) set('ngrokAuthtoken', 'The ngrok authtoken has no spaces: copy it again from dashboard.ngrok.com.');
    const domain = values.ngrokDomain.trim();
    if (domain.includes('://') || domain.includes('/')) set('ngrokDomain', 'Enter the domain alone, without https:// or a path (e.g. my-app.ngrok.app).');
    else if (domain !== '' && !HOSTNAME.test(domain)) set('ngrokDomain', 'Enter a domain name such as my-app.ngrok.app.');
  }

  if (values.eventTypes.length === 0) set('eventTypes', 'Choose at least one event type.');
  return errors;
}

/** The command's parameters: trimmed, empty optional fields omitted, only the chosen mode's fields. */
export function connectParams(values: ConnectFormValues): CommandParams<'connection.connect'> {
  const params: CommandParams<'connection.connect'> = { remember: values.remember, eventTypes: [...values.eventTypes] };
  const put = (key: 'accountSid' | 'authToken' | 'apiKeySid' | 'apiKeySecret' | 'ngrokAuthtoken' | 'ngrokDomain' | 'publicUrl', value: string) => {
    const trimmed = value.trim();
    if (trimmed !== '') params[key] = trimmed;
  };
  put('accountSid', values.accountSid);
  put('authToken', values.authToken);
  if (values.useApiKey) {
    put('apiKeySid', values.apiKeySid);
    put('apiKeySecret', values.apiKeySecret);
  }
  if (values.urlMode === 'own') {
    put('publicUrl', values.publicUrl);
  } else {
    put('ngrokAuthtoken', values.ngrokAuthtoken);
    put('ngrokDomain', values.ngrokDomain);
  }
  if (values.removeOtherInstalls) params.removeOtherInstalls = true;
  return params;
}

/**
 * Saved settings the form turned off, to clear before Connect: the core falls back to saved
 * values for fields left empty (a remembered API Key SID would win over a stored Auth Token, a
 * remembered domain over an emptied field). Null when nothing needs changing.
 */
export function settingsToClear(values: ConnectFormValues, saved: ConnectionSettings | null): Partial<ConnectionSettings> | null {
  if (saved === null) return null;
  const change: Partial<ConnectionSettings> = {};
  if (!values.useApiKey && saved.apiKeySid !== null) change.apiKeySid = null;
  if (values.urlMode === 'ngrok') {
    if (values.ngrokDomain.trim() === '' && saved.tunnelDomain !== null) change.tunnelDomain = null;
    if (saved.publicUrl !== null) change.publicUrl = null;
  }
  return Object.keys(change).length === 0 ? null : change;
}

/** Removes the secrets from a copy of the values (after submit). */
export function withoutSecrets(values: ConnectFormValues): ConnectFormValues {
  const copy = { ...values };
  for (const field of SECRET_FIELDS) copy[field] = '';
  return copy;
}

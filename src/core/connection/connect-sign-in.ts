/**
 * The credentials step of Connect: resolve, check against Twilio's API, and remember what the
 * user asked to remember.
 *
 * Invariants and security assumptions:
 * - Credentials are checked (GET the account) before anything is created or stored.
 * - With an API key AND an Auth Token, the token is checked too (its own account fetch): it is
 *   what every delivery's signature is checked with, so a wrong one would refuse all of them.
 * - Secrets are stored only when `remember` is set, only the ones typed into the form (never
 *   values from the environment), and only after they proved valid. A store that cannot keep
 *   them gives a warning, not a failure.
 * - Non-secret values (Account SID, API Key SID, domain, event types) are saved as settings.
 */
import type { SecretName } from '../secrets/secret-store.js';
import { validateCredentials, type TwilioAccountInfo } from '../twilio/credentials.js';
import type { TwilioClient } from '../twilio/twilio-client.js';
import type { ConnectionSettings } from '../../shared/contract.js';
import { given, resolveCredentials, type ConnectInput, type ResolvedCredentials } from './connect-credentials.js';
import type { ConnectionDeps } from './connection-deps.js';
import { rememberablePublicUrl } from './connection-settings.js';
import type { StatusBoard } from './connection-status.js';
import { StepError } from './step-errors.js';

export interface SignedIn {
  credentials: ResolvedCredentials;
  client: TwilioClient;
  account: TwilioAccountInfo;
}

const SECRET_LABELS: Record<SecretName, string> = {
  'twilio.authToken': 'Auth Token',
  'twilio.apiKeySecret': 'API Key secret',
  'ngrok.authtoken': 'ngrok authtoken',
  'receiver.basicAuthPassword': 'receiver password',
};

export async function checkCredentials(
  input: ConnectInput,
  deps: ConnectionDeps,
  board: StatusBoard,
  settings: ConnectionSettings,
): Promise<SignedIn> {
  const resolution = await resolveCredentials(input, deps.secrets, settings, await deps.credentialDefaults());
  board.addSecrets(resolution.ok ? resolution.credentials.secrets : resolution.secrets);
  if (!resolution.ok) throw new StepError(resolution.message, 'invalid_credentials');
  const { credentials } = resolution;
  const client = clientFor(deps, credentials.twilio);
  const check = await validateCredentials(client);
  if (!check.ok) throw new StepError(check.error.message, check.error.code === null ? check.error.kind : String(check.error.code));
  if (credentials.kind === 'api-key' && credentials.verificationToken !== null) {
    const tokenClient = clientFor(deps, { accountSid: credentials.twilio.accountSid, authToken: credentials.verificationToken });
    const tokenCheck = await validateCredentials(tokenClient);
    if (!tokenCheck.ok) {
      throw new StepError(
        `The Auth Token (used to check the signature of every delivery) was not accepted: ${tokenCheck.error.message}`,
        tokenCheck.error.code === null ? tokenCheck.error.kind : String(tokenCheck.error.code),
      );
    }
  }
  return { credentials, client, account: check.account };
}

function clientFor(deps: ConnectionDeps, credentials: ResolvedCredentials['twilio']): TwilioClient {
  try {
    return deps.createClient(credentials);
  } catch (error) {
    // An invalid FLOWSCOPE_TWILIO_API_URL: twilio-client.ts words it without echoing the value.
    throw new StepError(error instanceof Error ? error.message : 'The Twilio API URL is invalid.', 'invalid_config');
  }
}

export async function rememberSecrets(
  input: ConnectInput,
  deps: ConnectionDeps,
  board: StatusBoard,
  credentials: ResolvedCredentials,
  names: readonly SecretName[],
): Promise<void> {
  if (!input.remember) return;
  for (const name of names) {
    const value = credentials.typed[name];
    if (value === undefined) continue;
    try {
      await deps.secrets.set(name, value);
    } catch (error) {
      board.warn(`The ${SECRET_LABELS[name]} was used but not remembered: ${error instanceof Error ? error.message : 'the secret store failed'}`);
    }
  }
}

export async function saveConnectSettings(
  input: ConnectInput,
  deps: ConnectionDeps,
  board: StatusBoard,
  credentials: ResolvedCredentials,
): Promise<void> {
  const twilio = credentials.twilio;
  const change: Partial<ConnectionSettings> = {
    accountSid: twilio.accountSid,
    apiKeySid: 'apiKeySid' in twilio ? twilio.apiKeySid : null,
  };
  if (input.eventTypes !== undefined) change.eventTypes = input.eventTypes;
  if (input.includeSubaccounts !== undefined) change.includeSubaccounts = input.includeSubaccounts;
  const domain = given(input.ngrokDomain);
  if (domain !== null) change.tunnelDomain = domain;
  const ownUrl = given(input.publicUrl);
  if (ownUrl !== null) change.publicUrl = rememberablePublicUrl(ownUrl);
  try {
    await deps.settings.update(change);
  } catch {
    board.warn('The connection settings could not be saved; they apply to this connection only.');
  }
}

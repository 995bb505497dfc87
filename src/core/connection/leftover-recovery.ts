/**
 * Clean-up at start after a run that ended while connected (crash, kill -9, power cut): the
 * leftover flag in connection.json says so, and this install's tagged sinks are removed with the
 * remembered credentials (or the environment's). Without credentials nothing is contacted; the
 * next Connect's clean-up step removes them instead.
 *
 * The caller (ConnectionManager) never runs this while a Connect is in progress or connected, so
 * it cannot delete a live sink.
 */
import { createEventStreamsApi } from '../twilio/event-streams.js';
import { describeTwilioErrorFor } from '../twilio/twilio-errors.js';
import { resolveCredentials, type CredentialDefaults } from './connect-credentials.js';
import type { ConnectionDeps } from './connection-deps.js';
import type { ConnectionSettingsStore } from './connection-settings.js';
import type { StatusBoard } from './connection-status.js';
import { cleanOrphans, describeCleanup } from './provisioning.js';

/** What was found, or null when there was nothing to do (or no way to do it). */
export async function removeLeftovers(
  settings: ConnectionSettingsStore,
  deps: ConnectionDeps,
  defaults: CredentialDefaults,
  board: StatusBoard,
): Promise<{ removedSinks: number; otherInstallSinks: number } | null> {
  const state = await settings.load();
  if (state.leftoverAccountSid === null) return null;
  const resolution = await resolveCredentials(
    { accountSid: state.leftoverAccountSid, remember: false, removeOtherInstalls: false },
    deps.secrets,
    state.settings,
    defaults,
  );
  board.addSecrets(resolution.ok ? resolution.credentials.secrets : resolution.secrets);
  if (!resolution.ok) {
    deps.log('the last run may have left a sink in Twilio; it is removed at the next Connect');
    return null;
  }
  const client = deps.createClient(resolution.credentials.twilio);
  const cleanup = await cleanOrphans(createEventStreamsApi(client), state.installId, false, (error) => describeTwilioErrorFor(client, error).message);
  if (cleanup.problems.length === 0) await settings.setLeftoverAccount(null);
  deps.log(`leftovers of the last run: ${describeCleanup(cleanup)}${cleanup.problems.length > 0 ? ` ${cleanup.problems.join(' ')}` : ''}`);
  return { removedSinks: cleanup.removedSinks, otherInstallSinks: cleanup.otherInstallSinks };
}

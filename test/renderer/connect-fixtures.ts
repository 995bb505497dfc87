/** Builders of connection values (ConnectionStatus, SecretsStatus, settings) for the Connect panel tests. */
import type { ConnectionSettings, ConnectionStatus, ConnectionStepProgress, SecretsStatus } from '../../src/shared/contract.js';
import { iso } from './fixtures.js';
import { DEFAULT_CONNECTION_SETTINGS, idleStatus } from '../../src/shared/connection-defaults.js';
import { STUDIO_EVENT_TYPES } from '../../src/shared/event-types.js';

export const ACCOUNT_SID = `AC${'a1'.repeat(16)}`;
export const AUTH_TOKEN = 'f00dcafe'.repeat(4);
export const API_KEY_SID = `SK${'b2'.repeat(16)}`;
export const API_KEY_SECRET = 'Secret0123456789Secret0123456789';
export const NGROK_TOKEN = '2abcDEFghiJKLmnoPQRstuVWXyz_0123456789abcdefGHIJ';
export const STUDIO_TYPES: string[] = [...STUDIO_EVENT_TYPES];

export function makeSecrets(partial: Partial<SecretsStatus> = {}): SecretsStatus {
  return {
    backend: 'safeStorage:gnome_libsecret',
    encrypted: true,
    canRemember: true,
    stored: { 'twilio.authToken': false, 'twilio.apiKeySecret': false, 'ngrok.authtoken': false },
    fromEnvironment: { twilio: false, ngrok: false },
    ...partial,
  };
}

export function makeSettings(partial: Partial<ConnectionSettings> = {}): ConnectionSettings {
  return { ...DEFAULT_CONNECTION_SETTINGS, eventTypes: [...STUDIO_TYPES], ...partial };
}

export function makeStatus(partial: Partial<ConnectionStatus> = {}): ConnectionStatus {
  return { ...idleStatus([...STUDIO_TYPES], makeSecrets()), ...partial };
}

export function step(name: ConnectionStepProgress['step'], state: ConnectionStepProgress['state'], message: string, offsetMs = 0): ConnectionStepProgress {
  return { step: name, state, message, at: iso(offsetMs) };
}

export const SINK_SID = `DG${'c3'.repeat(16)}`;
export const SUBSCRIPTION_SID = `DF${'d4'.repeat(16)}`;
export const TUNNEL_URL = 'https://quiet-otter.ngrok-free.app';

/** Every step of a Connect that succeeded. */
export function connectedSteps(): ConnectionStepProgress[] {
  return [
    step('credentials', 'done', `Signed in to "Acme Support" (${ACCOUNT_SID})`),
    step('receiver', 'done', 'Receiving on http://127.0.0.1:4040/events'),
    step('tunnel', 'done', `Tunnel open at ${TUNNEL_URL}`),
    step('verification', 'done', `Deliveries must carry a valid X-Twilio-Signature for ${TUNNEL_URL}/events`),
    step('cleanup', 'done', 'No sink left by an earlier run'),
    step('sink', 'done', `Sink ${SINK_SID} created (POST, batched)`),
    step('subscription', 'done', `Subscription ${SUBSCRIPTION_SID} created`),
    step('test', 'done', 'The test event arrived (round trip 412 ms): Twilio reaches Flowscope'),
  ];
}

export function connectedStatus(partial: Partial<ConnectionStatus> = {}): ConnectionStatus {
  return makeStatus({
    state: 'connected',
    steps: connectedSteps(),
    accountSid: ACCOUNT_SID,
    friendlyName: 'Acme Support',
    credentialKind: 'auth-token',
    publicUrl: TUNNEL_URL,
    destinationUrl: `${TUNNEL_URL}/events`,
    sinkSid: SINK_SID,
    subscriptionSid: SUBSCRIPTION_SID,
    verification: 'signature',
    tunnel: { provider: 'ngrok', state: 'online', url: TUNNEL_URL, message: null, nextRetryAt: null },
    connectedAt: iso(5_000),
    lastSinkTest: { receivedAt: iso(4_900), roundTripMs: 412 },
    ...partial,
  });
}

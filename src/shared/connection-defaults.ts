/**
 * The resting values of the connection contract: the settings a fresh install starts with and the
 * status of a monitor that is not connected. Shared so the core and the UI's tests build from the
 * same values. Isomorphic and zod-free.
 */
import type { ConnectionSettings, ConnectionStatus, SecretsStatus } from './contract.js';
import { STUDIO_EVENT_TYPES } from './event-types.js';

export const DEFAULT_CONNECTION_SETTINGS: ConnectionSettings = {
  eventTypes: [...STUDIO_EVENT_TYPES],
  includeSubaccounts: false,
  receiverPort: null,
  receiverPath: '/events',
  tunnelDomain: null,
  accountSid: null,
  apiKeySid: null,
  publicUrl: null,
};

export const NO_SECRETS_STATUS: SecretsStatus = {
  backend: 'none',
  encrypted: false,
  canRemember: false,
  stored: { 'twilio.authToken': false, 'twilio.apiKeySecret': false, 'ngrok.authtoken': false },
  fromEnvironment: { twilio: false, ngrok: false },
};

export function idleStatus(eventTypes: string[], secrets: SecretsStatus = NO_SECRETS_STATUS): ConnectionStatus {
  return {
    state: 'idle',
    steps: [],
    error: null,
    warnings: [],
    accountSid: null,
    friendlyName: null,
    credentialKind: null,
    publicUrl: null,
    destinationUrl: null,
    sinkSid: null,
    subscriptionSid: null,
    eventTypes,
    verification: 'off',
    tunnel: null,
    connectedAt: null,
    lastSinkTest: null,
    orphans: null,
    secrets,
  };
}

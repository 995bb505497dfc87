/**
 * What the UI may know about stored secrets (SecretsStatus of src/shared/contract.ts): the
 * backend, whether it encrypts, and which secrets exist — booleans, never values. A store that
 * can answer `has` without decrypting is asked that way.
 */
import { CONNECTION_SECRET_NAMES, type ConnectionSecretName, type SecretsStatus } from '../../shared/contract.js';
import { given, type CredentialDefaults } from './connect-credentials.js';
import type { ConnectionSecretStore } from './connection-deps.js';

export async function readSecretsStatus(store: ConnectionSecretStore, defaults: CredentialDefaults): Promise<SecretsStatus> {
  const description = store.describe();
  const stored = {} as Record<ConnectionSecretName, boolean>;
  for (const name of CONNECTION_SECRET_NAMES) {
    stored[name] = await (store.has?.(name) ?? store.get(name).then((value) => value !== null)).catch(() => false);
  }
  return {
    backend: description.backend,
    encrypted: description.encrypted,
    canRemember: store.canStore?.() ?? true,
    stored,
    fromEnvironment: {
      twilio: given(defaults.authToken) !== null || given(defaults.apiKeySecret) !== null,
      ngrok: given(defaults.ngrokAuthtoken) !== null,
    },
  };
}

/**
 * What the connection code needs from its surroundings, as small ports: the monitor (receiver
 * and sink-test arrivals), Twilio clients, tunnel providers. Tests pass the real monitor, a real
 * twilio client pointed at a fake Twilio, and a fake tunnel provider.
 */
import type { ReceiverInfo } from '../receiver/receiver.js';
import type { VerificationSettings } from '../receiver/verification.js';
import type { SecretName, SecretStore } from '../secrets/secret-store.js';
import type { TunnelProvider } from '../tunnel/tunnel-provider.js';
import type { TunnelSupervisorOptions } from '../tunnel/tunnel-supervisor.js';
import type { TwilioCredentials } from '../twilio/credentials.js';
import type { TwilioClient } from '../twilio/twilio-client.js';
import type { CredentialDefaults } from './connect-credentials.js';
import type { ConnectionSettingsStore } from './connection-settings.js';
import type { SinkTestSource } from './sink-test.js';

/** The monitor, as far as the connection is concerned. */
export interface ConnectionHostPort extends SinkTestSource {
  receiverState(): ReceiverInfo;
  setVerification(settings: VerificationSettings): void;
}

/** How the public URL is obtained: an ngrok tunnel, or the user's own URL (no tunnel). */
export type TunnelChoice =
  | { kind: 'ngrok'; authtoken: string | null; domain: string | null }
  | { kind: 'static'; url: string };

export type TunnelProviderFactory = (choice: TunnelChoice) => TunnelProvider;

export type SupervisorTuning = Pick<TunnelSupervisorOptions, 'graceMs' | 'backoff' | 'openTimeoutMs' | 'closeTimeoutMs'>;

/** A SecretStore that may say it cannot store anything (e.g. safeStorage without a keyring). */
export interface ConnectionSecretStore extends SecretStore {
  canStore?(): boolean;
  /** Whether a value is stored, without decrypting it. */
  has?(name: SecretName): Promise<boolean>;
}

export interface ConnectionDeps {
  host: ConnectionHostPort;
  settings: ConnectionSettingsStore;
  secrets: ConnectionSecretStore;
  createClient(credentials: TwilioCredentials): TwilioClient;
  tunnelProviderFor: TunnelProviderFactory;
  env: Readonly<Record<string, string | undefined>>;
  credentialDefaults(): Promise<CredentialDefaults>;
  /** Names this machine in resource descriptions (sanitized there). */
  hostLabel: string;
  /** The receiver's verification outside a connection (restored on disconnect). */
  baselineVerification: VerificationSettings;
  sinkTestTimeoutMs: number;
  /** How much longer the sink test waits once a Twilio-like delivery was refused (sink-test.ts). */
  sinkTestRefusalGraceMs: number;
  repointRetryMs: number;
  /** First delay before retrying a sink that could not be deleted (doubles each time). */
  sinkDeleteRetryMs: number;
  supervisor: SupervisorTuning;
  log(line: string): void;
  now(): Date;
}

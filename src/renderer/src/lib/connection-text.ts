/**
 * Words for the Twilio connection: step labels, the one-line state the status bar and the
 * toolbar show, and what a secret field says about a stored value.
 *
 * The step and event-type lists come from zod-free modules of src/shared (connection-steps.ts,
 * event-types.ts), so the renderer bundle stays free of the contract's schemas.
 */
import type { ConnectionStatus, SecretsStatus } from '../../../shared/contract.js';
import { CONNECT_STEP_ORDER, type ConnectionStepName } from '../../../shared/connection-steps.js';
import { STUDIO_EXECUTION_ENDED, STUDIO_EXECUTION_STARTED, STUDIO_STEP_ENDED } from '../../../shared/event-types.js';

export { CONNECT_STEP_ORDER };

export const STEP_LABELS: Record<ConnectionStepName, string> = {
  credentials: 'Check the credentials',
  receiver: 'Webhook receiver',
  tunnel: 'Public URL',
  verification: 'Delivery check',
  cleanup: 'Leftovers of earlier runs',
  sink: 'Create the webhook sink',
  subscription: 'Subscribe to Studio events',
  test: 'Test event round trip',
  undo: 'Undo',
  repoint: 'Re-point the sink',
};

/** The Studio event types a subscription can ask for (schema version 1). */
export const STUDIO_EVENT_CHOICES: readonly { type: string; label: string }[] = [
  { type: STUDIO_EXECUTION_STARTED, label: 'Execution started' },
  { type: STUDIO_STEP_ENDED, label: 'Step ended' },
  { type: STUDIO_EXECUTION_ENDED, label: 'Execution ended' },
];

export type ConnectionTone = 'ok' | 'busy' | 'warn' | 'error' | 'off';

export interface ConnectionLine {
  text: string;
  tone: ConnectionTone;
}

/** "ngrok", "your public URL", or a test provider's name. */
export function providerLabel(provider: string | undefined): string {
  if (provider === 'ngrok') return 'ngrok';
  if (provider === 'static' || provider === undefined) return 'your public URL';
  return provider;
}

function secondsUntil(iso: string | null, nowMs: number): number | null {
  if (iso === null) return null;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

/** The connection in one line, e.g. "Twilio: connected via ngrok https://xyz.ngrok-free.app". */
export function connectionLine(status: ConnectionStatus, nowMs: number): ConnectionLine {
  switch (status.state) {
    case 'connecting': {
      const running = [...status.steps].reverse().find((entry) => entry.state === 'running');
      const index = running === undefined ? -1 : CONNECT_STEP_ORDER.indexOf(running.step as (typeof CONNECT_STEP_ORDER)[number]);
      const where =
        running === undefined ? '…' : index >= 0 ? ` — step ${index + 1}/${CONNECT_STEP_ORDER.length}: ${STEP_LABELS[running.step]}` : ` — ${STEP_LABELS[running.step]}`;
      return { text: `Twilio: connecting${where}`, tone: 'busy' };
    }
    case 'disconnecting':
      return { text: 'Twilio: disconnecting…', tone: 'busy' };
    case 'failed':
      return { text: `Twilio: Connect failed${status.error === null ? '' : ` at “${STEP_LABELS[status.error.step]}”`}`, tone: 'error' };
    case 'idle':
      return { text: 'Twilio: not connected', tone: 'off' };
    case 'connected':
      break;
  }
  const tunnel = status.tunnel;
  if (tunnel?.state === 'reconnecting') {
    const seconds = secondsUntil(tunnel.nextRetryAt, nowMs);
    return { text: seconds === null || seconds === 0 ? 'Twilio: tunnel reconnecting…' : `Twilio: tunnel reconnecting in ${seconds} s`, tone: 'warn' };
  }
  if (tunnel?.state === 'failed') return { text: `Twilio: tunnel down${tunnel.message === null ? '' : ` — ${tunnel.message}`}`, tone: 'error' };
  if (tunnel?.state === 'connecting') return { text: 'Twilio: tunnel reopening…', tone: 'warn' };
  const via = `via ${providerLabel(tunnel?.provider)}`;
  return { text: `Twilio: connected ${via}${status.publicUrl === null ? '' : ` ${status.publicUrl}`}`, tone: 'ok' };
}

/** The toolbar button's label. */
export function connectButtonLabel(status: ConnectionStatus | null): string {
  switch (status?.state) {
    case 'connected':
      return `Connected · ${status.friendlyName || status.accountSid || 'Twilio'}`;
    case 'connecting':
      return 'Connecting…';
    case 'disconnecting':
      return 'Disconnecting…';
    default:
      return 'Connect Twilio';
  }
}

/** How the receiver checks deliveries, in words. */
export function verificationText(mode: ConnectionStatus['verification']): string {
  if (mode === 'signature') return 'X-Twilio-Signature checked on every delivery';
  if (mode === 'basic-auth') return 'HTTP Basic password only (no Auth Token: signatures not checked)';
  return 'not checked';
}

/** Where secrets are kept, said plainly (e.g. not encrypted). */
export function storageText(secrets: SecretsStatus): string {
  if (!secrets.canRemember) return 'This system offers no place to keep secrets safely: Flowscope asks for them at every Connect.';
  if (secrets.backend === 'file') {
    return 'Not encrypted: kept in a file in the data directory that only your user can read (mode 0600).';
  }
  if (secrets.backend.endsWith('basic_text')) {
    return 'Not encrypted: no OS keyring was found, so Electron only obfuscates them (Linux basic_text).';
  }
  if (!secrets.encrypted) return `Not encrypted (${secrets.backend}).`;
  return `Encrypted by the operating system (${secrets.backend.replace(/^safeStorage:/, '')}).`;
}

/** The placeholder of a secret field: what leaving it empty means. */
export function secretPlaceholder(stored: boolean, fromEnvironment: boolean, otherwise: string): string {
  if (stored) return 'stored ✓ (leave empty to keep)';
  if (fromEnvironment) return 'from the environment (leave empty to use it)';
  return otherwise;
}

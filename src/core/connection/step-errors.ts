/**
 * How a failed Connect step is described. Every message is meant for the user and is already
 * free of secrets (Twilio errors through describeTwilioErrorFor, tunnel errors as the providers
 * word them, our own sentences); the status board redacts known secrets once more on top.
 */
import type { ConnectionStepName } from '../../shared/contract.js';
import { TunnelError } from '../tunnel/tunnel-provider.js';
import { describeTwilioErrorFor } from '../twilio/twilio-errors.js';
import type { TwilioClient } from '../twilio/twilio-client.js';

/** A step failed for a reason we can word; `code` is Twilio's / ngrok's code when there is one. */
export class StepError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'StepError';
  }
}

/** The outcome of a failed (or cancelled) Connect, after everything it created was removed. */
export class ConnectFailure extends Error {
  constructor(
    readonly step: ConnectionStepName,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'ConnectFailure';
  }

  get cancelled(): boolean {
    return this.code === 'cancelled';
  }
}

/** A Twilio call's failure as a StepError (Twilio's code and text, secrets scrubbed). */
export function twilioStepError(client: TwilioClient, error: unknown, what: string): StepError {
  const described = describeTwilioErrorFor(client, error);
  return new StepError(`${what}: ${described.message}`, described.code === null ? null : String(described.code));
}

/** Whether a Twilio call failed without an answer, so the resource may exist anyway. */
export function isUncertainOutcome(client: TwilioClient, error: unknown): boolean {
  return describeTwilioErrorFor(client, error).kind === 'network';
}

/** Any error as { code, message } for a step; unexpected ones get a generic sentence (details go to `log`, which redacts). */
export function stepErrorOf(error: unknown, log: (line: string) => void, step: ConnectionStepName): StepError {
  if (error instanceof StepError) return error;
  if (error instanceof TunnelError) return new StepError(error.message, error.code ?? error.kind);
  log(`connect step ${step} failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`);
  return new StepError(`The ${step} step failed unexpectedly; see the Flowscope log.`, 'internal');
}

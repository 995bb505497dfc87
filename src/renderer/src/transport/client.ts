/**
 * The typed client over a Transport: `client.call('executions.list', { offset, limit })` is
 * checked against the contract's params and result types at compile time.
 * Invariant: an `{ ok: false }` outcome becomes a thrown CommandError carrying the contract's
 * `{ code, message }`, so callers handle failures with try/catch (e.g. code 'unavailable' for a
 * desktop-only command in the browser).
 */
import type {
  CommandName,
  CommandParams,
  CommandResult,
  ErrorCode,
  Transport,
} from '../../../shared/contract.js';

export class CommandError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
  }
}

export interface Client {
  readonly transport: Transport;
  call<C extends CommandName>(command: C, params: CommandParams<C>): Promise<CommandResult<C>>;
}

export function createClient(transport: Transport): Client {
  return {
    transport,
    async call<C extends CommandName>(command: C, params: CommandParams<C>): Promise<CommandResult<C>> {
      const outcome = await transport.invoke(command, params);
      if (!outcome.ok) throw new CommandError(outcome.error.code, outcome.error.message);
      // results come from our own core and are typed by the contract, not re-validated here
      return outcome.result as CommandResult<C>;
    },
  };
}

export function errorCodeOf(error: unknown): ErrorCode | null {
  return error instanceof CommandError ? error.code : null;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

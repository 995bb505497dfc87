/**
 * Generic dispatch of contract commands (src/shared/contract.ts) to their implementations.
 *
 * Boundary module: `invoke` receives whatever a renderer or a browser sent. Invariants:
 * - the command name must be one of the contract's; params are validated with its zod schema
 *   before any implementation runs;
 * - `invoke` never throws: failures come back as `{ code, message }`;
 * - unexpected errors are reported as `internal` with a generic message (their details go to the
 *   local log only), so nothing internal — paths, tokens — leaks across the bridge.
 */
import {
  commandSchemas,
  isCommandName,
  type CommandName,
  type CommandResult,
  type ContractError,
  type ErrorCode,
  type ParsedCommandParams,
  type PushEventName,
  type PushEvents,
} from '../shared/contract.js';
import type { ContractHost, InvokeOutcome, PushListener } from './contract-host.js';

/** Thrown by an implementation to send a specific `{ code, message }` back. */
export class ContractFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ContractFailure';
  }
}

export type CommandHandlers = {
  [C in CommandName]: (params: ParsedCommandParams<C>) => Promise<CommandResult<C>> | CommandResult<C>;
};

export interface ContractHostOptions {
  handlers: CommandHandlers;
  /** Where unexpected errors are reported (never sent to the UI). */
  onInternalError?: (command: string, error: unknown) => void;
}

export interface ContractHostWithPush extends ContractHost {
  /** Sends a pushed event to every subscriber. */
  push<E extends PushEventName>(event: E, payload: PushEvents[E]): void;
  /** Replaces some handlers (the desktop shell adds export.save / import.open). */
  override(handlers: Partial<CommandHandlers>): void;
}

function describeZodError(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid parameters';
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'params';
  return `${where}: ${issue.message}`;
}

export function createContractHost(options: ContractHostOptions): ContractHostWithPush {
  const handlers: CommandHandlers = { ...options.handlers };
  const listeners = new Set<PushListener>();

  async function invoke(command: string, params: unknown): Promise<InvokeOutcome> {
    if (!isCommandName(command)) {
      return failure('bad_request', `unknown command: ${String(command).slice(0, 100)}`);
    }
    const parsed = commandSchemas[command].safeParse(params ?? {});
    if (!parsed.success) return failure('bad_request', `${command}: ${describeZodError(parsed.error)}`);
    try {
      const handler = handlers[command] as (p: unknown) => unknown;
      const result = await handler(parsed.data);
      return { ok: true, result };
    } catch (error) {
      if (error instanceof ContractFailure) return failure(error.code, error.message);
      options.onInternalError?.(command, error);
      return failure('internal', `${command} failed unexpectedly; see the Flowscope log`);
    }
  }

  return {
    invoke,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    push(event, payload) {
      for (const listener of listeners) {
        try {
          listener(event, payload);
        } catch (error) {
          options.onInternalError?.(`push ${event}`, error);
        }
      }
    },
    override(partial) {
      Object.assign(handlers, partial);
    },
  };
}

function failure(code: ErrorCode, message: string): { ok: false; error: ContractError } {
  return { ok: false, error: { code, message } };
}

/**
 * A Transport that plays the core: canned results per command (overridable), an in-memory list of
 * executions served page by page like executions.list (newest first, filtered, offset/limit), and
 * pushes on demand. Every invoke is recorded so tests can check what the UI asked for.
 */
import type {
  CommandName,
  CommandParams,
  CommandResult,
  ErrorCode,
  ExecutionFilter,
  InvokeOutcome,
  PushEventName,
  PushEvents,
  Transport,
} from '../../src/shared/contract.js';
import type { ExecutionSummary } from '../../src/shared/execution-model.js';
import { makeReceiver, makeStats } from './fixtures.js';

type Handler = (params: unknown) => unknown;
type ConnectionState = 'connecting' | 'open' | 'closed';

export class FakeCommandError {
  constructor(
    readonly code: ErrorCode,
    readonly message: string,
  ) {}
}

/** Sort and filter the way the core's store does (its own code, independent of the renderer's). */
function serverList(all: readonly ExecutionSummary[], filter: ExecutionFilter): ExecutionSummary[] {
  const key = (s: ExecutionSummary) => s.startedAt ?? '9999';
  const text = filter.text?.trim().toLowerCase();
  return all
    .filter((s) => filter.flowSid === undefined || s.flowSid === filter.flowSid)
    .filter((s) => filter.status === undefined || filter.status.includes(s.status))
    .filter((s) => filter.since === undefined || key(s) >= filter.since)
    .filter((s) => filter.until === undefined || key(s) < filter.until)
    .filter((s) => filter.executionSids === undefined || filter.executionSids.includes(s.executionSid))
    .filter(
      (s) =>
        text === undefined ||
        text === '' ||
        [s.contact, s.executionSid, s.flowSid, s.startedBy, ...s.widgets].some((f) => f?.toLowerCase().includes(text)),
    )
    .sort((a, b) => (key(a) === key(b) ? (a.executionSid < b.executionSid ? 1 : -1) : key(a) < key(b) ? 1 : -1));
}

export class FakeTransport implements Transport {
  readonly calls: { command: string; params: unknown }[] = [];
  executions: ExecutionSummary[] = [];
  /** Generates a page without holding a list (for 100,000 rows). */
  virtualList: { total: number; row: (index: number) => ExecutionSummary } | null = null;
  private readonly handlers = new Map<string, Handler>();
  private readonly pushListeners = new Set<(event: PushEventName, payload: unknown) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  constructor(readonly kind: 'electron' | 'websocket' = 'electron') {
    this.handle('flows.list', () => []);
    this.handle('stats.get', () => makeStats());
    this.handle('receiver.info', () => makeReceiver());
    this.handle('executions.get', () => null);
    this.handle('executions.list', (params) => this.listPage(params));
  }

  handle<C extends CommandName>(command: C, handler: (params: CommandParams<C>) => CommandResult<C> | Promise<CommandResult<C>>): this {
    this.handlers.set(command, handler as Handler);
    return this;
  }

  fail(command: CommandName, code: ErrorCode, message: string): this {
    this.handlers.set(command, () => {
      throw new FakeCommandError(code, message);
    });
    return this;
  }

  callsOf(command: CommandName): unknown[] {
    return this.calls.filter((call) => call.command === command).map((call) => call.params);
  }

  private listPage(params: CommandParams<'executions.list'>): CommandResult<'executions.list'> {
    const offset = params.offset ?? 0;
    const limit = params.limit ?? 200;
    if (this.virtualList !== null) {
      const { total, row } = this.virtualList;
      const items: ExecutionSummary[] = [];
      for (let i = offset; i < Math.min(total, offset + limit); i += 1) items.push(row(i));
      return { items, total, offset };
    }
    const matching = serverList(this.executions, params.filter ?? {});
    return { items: matching.slice(offset, offset + limit), total: matching.length, offset };
  }

  async invoke(command: string, params: unknown): Promise<InvokeOutcome> {
    this.calls.push({ command, params });
    await Promise.resolve();
    const handler = this.handlers.get(command);
    if (handler === undefined) return { ok: false, error: { code: 'not_found', message: `no fake for ${command}` } };
    try {
      return { ok: true, result: await handler(params) };
    } catch (error) {
      if (error instanceof FakeCommandError) return { ok: false, error: { code: error.code, message: error.message } };
      throw error;
    }
  }

  onPush(listener: (event: PushEventName, payload: unknown) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  push<E extends PushEventName>(event: E, payload: PushEvents[E]): void {
    for (const listener of this.pushListeners) listener(event, payload);
  }

  setConnection(state: ConnectionState): void {
    for (const listener of this.stateListeners) listener(state);
  }
}

import { describe, expect, it } from 'vitest';
import { ContractFailure, createContractHost, type CommandHandlers } from '../../src/core/rpc.js';

function handlers(overrides: Partial<CommandHandlers> = {}): CommandHandlers {
  const unused = () => {
    throw new Error('not used in this test');
  };
  const base = Object.fromEntries(
    [
      'flows.list', 'executions.list', 'executions.get', 'stats.get', 'receiver.info', 'rejected.list',
      'unverified.list', 'retention.get', 'retention.set', 'store.clearOlderThan', 'export.run', 'import.run',
      'export.save', 'import.open',
    ].map((name) => [name, unused]),
  ) as unknown as CommandHandlers;
  return { ...base, ...overrides };
}

describe('contract host', () => {
  it('validates params with the command schema and applies its defaults', async () => {
    let seen: unknown;
    const host = createContractHost({
      handlers: handlers({ 'executions.list': (params) => ((seen = params), { items: [], total: 0, offset: params.offset }) }),
    });
    const outcome = await host.invoke('executions.list', { filter: { flowSid: 'FW1' } });
    expect(outcome).toEqual({ ok: true, result: { items: [], total: 0, offset: 0 } });
    expect(seen).toEqual({ filter: { flowSid: 'FW1' }, offset: 0, limit: 200 });
  });

  it('refuses unknown commands, unknown keys and bad values without calling a handler', async () => {
    const host = createContractHost({ handlers: handlers() });
    expect(await host.invoke('process.exit', {})).toEqual({ ok: false, error: { code: 'bad_request', message: 'unknown command: process.exit' } });
    const extra = await host.invoke('flows.list', { sneaky: true });
    expect(extra.ok).toBe(false);
    const bad = await host.invoke('executions.list', { limit: 10_000 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(JSON.stringify(bad)).toContain('limit');
    expect(await host.invoke('__proto__', {})).toMatchObject({ ok: false, error: { code: 'bad_request' } });
  });

  it('maps ContractFailure to its code and hides unexpected errors', async () => {
    const reported: string[] = [];
    const host = createContractHost({
      handlers: handlers({
        'executions.get': () => {
          throw new ContractFailure('not_found', 'no such execution');
        },
        'stats.get': () => {
          throw new Error('secret path /home/me/.token');
        },
      }),
      onInternalError: (command) => reported.push(command),
    });
    expect(await host.invoke('executions.get', { executionSid: 'FN1' })).toEqual({ ok: false, error: { code: 'not_found', message: 'no such execution' } });
    const hidden = await host.invoke('stats.get', {});
    expect(hidden).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(hidden)).not.toContain('secret');
    expect(reported).toEqual(['stats.get']);
  });

  it('pushes to every subscriber until it unsubscribes', () => {
    const host = createContractHost({ handlers: handlers() });
    const got: string[] = [];
    const off = host.subscribe((event) => got.push(event));
    host.push('store.reset', {});
    off();
    host.push('store.reset', {});
    expect(got).toEqual(['store.reset']);
  });
});

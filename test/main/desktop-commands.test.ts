import { describe, expect, it } from 'vitest';
import { ContractFailure } from '../../src/core/rpc.js';
import { defaultExportFileName, withDesktopCommands, type CoreFileOperations, type FileDialogs } from '../../src/main/desktop-commands.js';
import type { ExecutionFilter, ImportResult } from '../../src/shared/contract.js';
import { createFakeContractHost } from './fake-contract-host.js';

const importResult: ImportResult = { executions: 2, events: 9, inserted: 9, duplicates: 0, rejected: 0 };

function setup(choice: { exportPath?: string | null; importPath?: string | null; fail?: unknown } = {}) {
  const core = createFakeContractHost();
  const exported: { filter: ExecutionFilter; path: string }[] = [];
  const imported: string[] = [];
  const suggested: string[] = [];
  const errors: unknown[] = [];
  let releaseDialog: (() => void) | null = null;
  const dialogs: FileDialogs = {
    async chooseExportPath(defaultFileName) {
      suggested.push(defaultFileName);
      return choice.exportPath ?? null;
    },
    async chooseImportPath() {
      if (choice.importPath === undefined) await new Promise<void>((resolve) => (releaseDialog = resolve));
      return choice.importPath ?? null;
    },
  };
  const files: CoreFileOperations = {
    async exportToFile(filter, path) {
      if (choice.fail) throw choice.fail;
      exported.push({ filter, path });
      return { executions: 3 };
    },
    async importFromFile(path) {
      if (choice.fail) throw choice.fail;
      imported.push(path);
      return importResult;
    },
  };
  const host = withDesktopCommands(core, {
    dialogs,
    files,
    onError: (_command, error) => errors.push(error),
    now: () => new Date('2024-05-01T10:20:30.456Z'),
  });
  return { core, host, exported, imported, suggested, errors, releaseDialog: () => releaseDialog?.() };
}

describe('withDesktopCommands', () => {
  it('export.save asks for a path, then exports with the validated filter', async () => {
    const { host, exported, suggested } = setup({ exportPath: '/home/u/out.json' });
    const outcome = await host.invoke('export.save', { filter: { status: ['failed'] } });
    expect(outcome).toEqual({ ok: true, result: { saved: true, path: '/home/u/out.json', executions: 3 } });
    expect(exported).toEqual([{ filter: { status: ['failed'] }, path: '/home/u/out.json' }]);
    expect(suggested).toEqual(['flowscope-export-2024-05-01T10-20-30.json']);
  });

  it('export.save cancelled writes nothing', async () => {
    const { host, exported } = setup({ exportPath: null });
    expect(await host.invoke('export.save', {})).toEqual({ ok: true, result: { saved: false } });
    expect(exported).toEqual([]);
  });

  it('import.open imports the chosen file', async () => {
    const { host, imported } = setup({ importPath: '/tmp/in.json' });
    expect(await host.invoke('import.open', {})).toEqual({
      ok: true,
      result: { imported: true, path: '/tmp/in.json', ...importResult },
    });
    expect(imported).toEqual(['/tmp/in.json']);
  });

  it('validates params with the contract schema before any dialog', async () => {
    const { host, suggested } = setup({ exportPath: '/x.json' });
    expect(await host.invoke('export.save', { filter: { status: ['bogus'] } })).toMatchObject({
      ok: false,
      error: { code: 'bad_request' },
    });
    expect(await host.invoke('import.open', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(suggested).toEqual([]);
  });

  it('allows one file dialog at a time', async () => {
    const { host, releaseDialog } = setup();
    const first = host.invoke('import.open', {});
    expect(await host.invoke('export.save', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    releaseDialog();
    expect(await first).toEqual({ ok: true, result: { imported: false } });
  });

  it('hides file-system error details but passes ContractFailure through', async () => {
    const leaky = setup({ exportPath: '/secret/place.json', fail: new Error('EACCES: /secret/place.json') });
    const outcome = await leaky.host.invoke('export.save', {});
    expect(outcome).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(outcome)).not.toContain('/secret');
    expect(leaky.errors).toHaveLength(1);

    const known = setup({ importPath: '/x.json', fail: new ContractFailure('bad_request', 'not a Flowscope export') });
    expect(await known.host.invoke('import.open', {})).toEqual({
      ok: false,
      error: { code: 'bad_request', message: 'not a Flowscope export' },
    });
  });

  it('passes every other command and all pushes through to the core host', async () => {
    const { host, core } = setup();
    expect(await host.invoke('echo', 1)).toEqual({ ok: true, result: { command: 'echo', params: 1 } });
    const seen: string[] = [];
    const unsubscribe = host.subscribe((event) => seen.push(event));
    core.push('store.reset', {});
    unsubscribe();
    core.push('store.reset', {});
    expect(seen).toEqual(['store.reset']);
  });

  it('suggests file names without colons', () => {
    expect(defaultExportFileName(new Date('2030-12-31T23:59:59Z'))).toBe('flowscope-export-2030-12-31T23-59-59.json');
  });
});

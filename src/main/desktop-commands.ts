/**
 * The two desktop-only commands, `export.save` and `import.open` (src/shared/contract.ts): a
 * native file dialog in the main process, then the core's file operations. Implemented as a
 * ContractHost wrapper so the IPC binding stays generic; every other command, and all pushes,
 * pass through to the core's host unchanged.
 *
 * Invariants: params are validated with the contract's own schemas; the renderer never names a
 * path (only the user, through the dialog, does); one file dialog at a time; never throws.
 * A ContractFailure thrown by the core (e.g. "not a Flowscope export") crosses as its own
 * `{ code, message }`; any other error gets a generic message, because file-system errors can
 * contain paths: those go to `onError` only.
 */
import type { ContractHost, InvokeOutcome } from '../core/contract-host.js';
import { ContractFailure } from '../core/rpc.js';
import { commandSchemas, type CommandResults, type ExecutionFilter, type ImportResult } from '../shared/contract.js';

/** Native dialogs (Electron's `dialog`, parented to the main window); null = cancelled. */
export interface FileDialogs {
  chooseExportPath(defaultFileName: string): Promise<string | null>;
  chooseImportPath(): Promise<string | null>;
}

/** What the core offers for files (the monitor implements it). */
export interface CoreFileOperations {
  /** Streams the export document for `filter` to `path`. */
  exportToFile(filter: ExecutionFilter, path: string): Promise<{ executions: number }>;
  /** Reads an export document from `path` and imports it (idempotent). */
  importFromFile(path: string): Promise<ImportResult>;
}

export interface DesktopCommandOptions {
  dialogs: FileDialogs;
  files: CoreFileOperations;
  /** Where failures are reported in full (local log); never sent to a renderer. */
  onError?(command: string, error: unknown): void;
  /** For tests; defaults to the current time. */
  now?(): Date;
}

export function withDesktopCommands(host: ContractHost, options: DesktopCommandOptions): ContractHost {
  let dialogOpen = false;

  async function exportSave(params: unknown): Promise<InvokeOutcome> {
    const parsed = commandSchemas['export.save'].safeParse(params ?? {});
    if (!parsed.success) return failure('bad_request', 'export.save: invalid parameters');
    const path = await options.dialogs.chooseExportPath(defaultExportFileName(options.now?.() ?? new Date()));
    if (path === null) return success<'export.save'>({ saved: false });
    const { executions } = await options.files.exportToFile(parsed.data.filter, path);
    return success<'export.save'>({ saved: true, path, executions });
  }

  async function importOpen(params: unknown): Promise<InvokeOutcome> {
    const parsed = commandSchemas['import.open'].safeParse(params ?? {});
    if (!parsed.success) return failure('bad_request', 'import.open: invalid parameters');
    const path = await options.dialogs.chooseImportPath();
    if (path === null) return success<'import.open'>({ imported: false });
    const result = await options.files.importFromFile(path);
    return success<'import.open'>({ imported: true, path, ...result });
  }

  async function withDialog(command: string, run: () => Promise<InvokeOutcome>): Promise<InvokeOutcome> {
    if (dialogOpen) return failure('unavailable', 'a file dialog is already open');
    dialogOpen = true;
    try {
      return await run();
    } catch (error) {
      if (error instanceof ContractFailure) return { ok: false, error: { code: error.code, message: error.message } };
      options.onError?.(command, error);
      return failure('internal', `${command} failed; see the Flowscope log`);
    } finally {
      dialogOpen = false;
    }
  }

  return {
    invoke(command, params) {
      if (command === 'export.save') return withDialog(command, () => exportSave(params));
      if (command === 'import.open') return withDialog(command, () => importOpen(params));
      return host.invoke(command, params);
    },
    subscribe: (listener) => host.subscribe(listener),
  };
}

/** e.g. flowscope-export-2024-05-01T10-20-30.json (no colons: they are not allowed on Windows). */
export function defaultExportFileName(now: Date): string {
  return `flowscope-export-${now.toISOString().slice(0, 19).replace(/:/g, '-')}.json`;
}

function success<C extends keyof CommandResults>(result: CommandResults[C]): InvokeOutcome {
  return { ok: true, result };
}

function failure(code: 'bad_request' | 'internal' | 'unavailable', message: string): InvokeOutcome {
  return { ok: false, error: { code, message } };
}

/**
 * The core's implementation of every contract command (src/shared/contract.ts), over the monitor's
 * store and counters. Params arrive already validated by rpc.ts. Desktop-only commands answer
 * `unavailable` here; the Electron shell overrides them with its dialogs.
 */
import { ExportTooLargeError, exportToString } from './store/export-writer.js';
import { importFromText } from './store/import-reader.js';
import { ImportFormatError } from './store/store-errors.js';
import { ContractFailure, type CommandHandlers } from './rpc.js';
import type { Monitor } from './monitor.js';
import { ConnectionBusyError, SecretStoreFailure } from './connection/connection-manager.js';

export function buildCommandHandlers(monitor: Monitor): CommandHandlers {
  const { store, stats } = monitor;
  return {
    'flows.list': () => store.listFlows(),
    'executions.list': ({ filter, offset, limit }) => store.listExecutions(filter, offset, limit),
    'executions.get': ({ executionSid }) => store.getExecution(executionSid),
    'stats.get': () => stats.snapshot(store.counts()),
    'receiver.info': () => {
      const state = monitor.receiverState();
      return {
        localUrl: state.localUrl === null ? '' : `${state.localUrl}${state.path}`,
        publicUrl: state.destinationUrl,
        verifying: state.verifiesSignature,
      };
    },
    'rejected.list': ({ limit }) => store.listRejected(limit),
    'unverified.list': () => stats.listUnverified(),
    'retention.get': () => store.getRetention(),
    'retention.set': async (params) => {
      const settings = await store.setRetention(params);
      const { deletedEvents, deletedExecutions } = await store.applyRetention();
      if (deletedEvents > 0) monitor.afterBulkChange();
      return { settings, deletedEvents, deletedExecutions };
    },
    'store.clearOlderThan': async ({ before }) => {
      const counts = await store.clearOlderThan(before);
      monitor.afterBulkChange();
      return counts;
    },
    'export.run': async ({ filter }) => {
      const { fileName, text } = await exportToString(store, filter).catch((error: unknown) => {
        if (error instanceof ExportTooLargeError) throw new ContractFailure('unavailable', error.message);
        throw error;
      });
      return { fileName, text };
    },
    'import.run': async ({ text }) => {
      const result = await importFromText(store, text).catch((error: unknown) => {
        if (error instanceof ImportFormatError) throw new ContractFailure('bad_request', error.message);
        throw error;
      });
      monitor.afterBulkChange();
      return result;
    },
    'export.save': () => {
      throw new ContractFailure('unavailable', 'Saving to a file needs the desktop app; download it from the UI server (GET /export).');
    },
    'import.open': () => {
      throw new ContractFailure('unavailable', 'Opening a file needs the desktop app; use import.run with the file text.');
    },
    'connection.get': () => monitor.connection.status(),
    'connection.connect': (params) => asContractFailure(() => monitor.connection.connect(params)),
    'connection.disconnect': () => monitor.connection.disconnect(),
    'connection.forgetSecrets': () => asContractFailure(() => monitor.connection.forgetSecrets()),
    'secrets.set': ({ name, value }) => asContractFailure(() => monitor.connection.setSecret(name, value)),
    'secrets.delete': ({ name }) => asContractFailure(() => monitor.connection.deleteSecret(name)),
    'settings.get': () => monitor.connection.settings(),
    'settings.set': (change) => monitor.connection.updateSettings(change),
  };
}

/** The connection's expected failures as `{ code, message }` (their messages are safe to show). */
async function asContractFailure<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConnectionBusyError) throw new ContractFailure('unavailable', error.message);
    if (error instanceof SecretStoreFailure) throw new ContractFailure(error.kind === 'invalid' ? 'bad_request' : 'unavailable', error.message);
    throw error;
  }
}
